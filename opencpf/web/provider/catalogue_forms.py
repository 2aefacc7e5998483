"""Forms of the provider's catalogue pages. Euros are typed by people and converted to cents here."""

from __future__ import annotations

from typing import Any

from django import forms

from opencpf.catalogue.models import Modality, Offer, Training
from opencpf.core.exceptions import DomainError
from opencpf.core.money import parse_eur


class EuroField(forms.CharField):
    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            return parse_eur(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.replace(";", ",").replace(" ", ",").split(",") if c.strip()]


def _euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


class OfferForm(forms.Form):
    certification_code = forms.CharField(
        label="Certification visée", help_text="Code RNCP ou RS, par exemple RNCP35185 ou RS5063"
    )
    training_reference = forms.CharField(
        label="Numéro de formation", max_length=64, help_text="Votre référence interne"
    )
    offer_reference = forms.CharField(
        label="Numéro d'action", max_length=64, help_text="Votre référence de l'offre (lieu, rythme)"
    )
    title = forms.CharField(label="Intitulé de la formation", max_length=300)
    objectives = forms.CharField(label="Objectifs", widget=forms.Textarea, required=False)
    content = forms.CharField(label="Contenu", widget=forms.Textarea, required=False)
    expected_results = forms.CharField(label="Résultats attendus", widget=forms.Textarea, required=False)
    prerequisites = forms.CharField(label="Prérequis", widget=forms.Textarea, required=False)
    formacode_codes = forms.CharField(
        label="Codes Formacode", required=False, help_text="Séparés par des virgules, 5 au plus"
    )
    nsf_codes = forms.CharField(label="Codes NSF", required=False, help_text="Séparés par des virgules")
    rome_codes = forms.CharField(
        label="Codes ROME", required=False, help_text="Séparés par des virgules, par exemple M1607"
    )
    entry_level = forms.IntegerField(label="Niveau d'entrée (code LHEO)", required=False, min_value=0, max_value=13)
    exit_level = forms.IntegerField(label="Niveau de sortie (code LHEO)", required=False, min_value=0, max_value=13)
    modality = forms.ChoiceField(label="Modalité", choices=Modality.choices)
    address = forms.CharField(label="Adresse du lieu de formation", required=False, max_length=300)
    postcode = forms.CharField(label="Code postal", required=False, max_length=5)
    city = forms.CharField(label="Commune", required=False, max_length=150)
    insee_code = forms.CharField(
        label="Code INSEE de la commune",
        required=False,
        max_length=5,
        help_text="Facultatif si la commune et le code postal suffisent",
    )
    hours_total = forms.IntegerField(label="Durée totale (heures)", min_value=0)
    hours_centre = forms.IntegerField(label="Heures en centre", min_value=0, initial=0)
    hours_company = forms.IntegerField(label="Heures en entreprise", min_value=0, initial=0)
    price_incl = EuroField(label="Prix TTC (€)", help_text="Exemple : 1 250,00")
    price_excl = EuroField(label="Prix HT (€)", help_text="Égal au prix TTC si vous n'êtes pas assujetti à la TVA")
    disability_access = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap", required=False, initial=True
    )
    disability_details = forms.CharField(
        label="Modalités d'accueil des personnes en situation de handicap", widget=forms.Textarea, required=False
    )
    contact_email = forms.EmailField(label="Courriel de contact", required=False)
    contact_phone = forms.CharField(label="Téléphone de contact", required=False, max_length=20)

    def training_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "objectives": d["objectives"],
            "content": d["content"],
            "expected_results": d["expected_results"],
            "prerequisites": d["prerequisites"],
            "has_prerequisites": bool(d["prerequisites"].strip()),
            "formacode_codes": _codes(d["formacode_codes"])[:5],
            "nsf_codes": _codes(d["nsf_codes"])[:3],
            "rome_codes": _codes(d["rome_codes"])[:5],
            "entry_level": d["entry_level"],
            "exit_level": d["exit_level"],
        }

    def offer_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "modality": d["modality"],
            "address": d["address"],
            "postcode": d["postcode"],
            "city": d["city"],
            "insee_code": d["insee_code"],
            "hours_total": d["hours_total"],
            "hours_centre": d["hours_centre"] or 0,
            "hours_company": d["hours_company"] or 0,
            "price_incl_tax_cents": d["price_incl"],
            "price_excl_tax_cents": d["price_excl"],
            "disability_access": d["disability_access"],
            "disability_details": d["disability_details"],
            "contact_email": d["contact_email"],
            "contact_phone": d["contact_phone"],
        }

    @classmethod
    def initial_from(cls, offer: Offer) -> dict[str, Any]:
        t: Training = offer.training
        return {
            "certification_code": t.certification.code,
            "training_reference": t.reference,
            "offer_reference": offer.reference,
            "title": t.title,
            "objectives": t.objectives,
            "content": t.content,
            "expected_results": t.expected_results,
            "prerequisites": t.prerequisites,
            "formacode_codes": ", ".join(t.formacode_codes or []),
            "nsf_codes": ", ".join(t.nsf_codes or []),
            "rome_codes": ", ".join(t.rome_codes or []),
            "entry_level": t.entry_level,
            "exit_level": t.exit_level,
            "modality": offer.modality,
            "address": offer.address,
            "postcode": offer.postcode,
            "city": offer.city,
            "insee_code": offer.insee_code,
            "hours_total": offer.hours_total,
            "hours_centre": offer.hours_centre,
            "hours_company": offer.hours_company,
            "price_incl": _euros(offer.price_incl_tax_cents),
            "price_excl": _euros(offer.price_excl_tax_cents),
            "disability_access": offer.disability_access,
            "disability_details": offer.disability_details,
            "contact_email": offer.contact_email,
            "contact_phone": offer.contact_phone,
        }


class SessionForm(forms.Form):
    reference = forms.CharField(label="Numéro de session", max_length=64)
    start_date = forms.DateField(label="Date de début", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="Date de fin", widget=forms.DateInput(attrs={"type": "date"}))
    is_recruiting = forms.BooleanField(label="Inscriptions ouvertes", required=False, initial=True)
    capacity = forms.IntegerField(label="Nombre de places", required=False, min_value=0)


class SessionDuplicateForm(forms.Form):
    start_date = forms.DateField(
        label="Date de début de la nouvelle session", widget=forms.DateInput(attrs={"type": "date"})
    )


class LheoUploadForm(forms.Form):
    file = forms.FileField(label="Fichier LHEO (XML, versions 2.2 ou 2.3)")
    partial = forms.BooleanField(label="Importer les formations valides même si d'autres sont rejetées", required=False)


class OfferFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False)
    published = forms.ChoiceField(
        label="Publication", required=False, choices=[("", "Toutes"), ("1", "Publiées"), ("0", "Non publiées")]
    )
    modality = forms.ChoiceField(label="Modalité", required=False, choices=[("", "Toutes"), *Modality.choices])
    certification = forms.CharField(label="Certification", required=False)
    city = forms.CharField(label="Commune", required=False)


class ApplicationForm(forms.Form):
    name = forms.CharField(label="Raison sociale", max_length=250)
    siret = forms.CharField(label="SIRET", max_length=20, help_text="14 chiffres")
    nda = forms.CharField(label="Numéro de déclaration d'activité (NDA)", max_length=20, help_text="11 chiffres")
    email = forms.EmailField(label="Adresse électronique de connexion", help_text="Format attendu : nom@domaine.fr")
    password = forms.CharField(
        label="Mot de passe", widget=forms.PasswordInput, min_length=12, help_text="12 caractères au moins"
    )
    qualiopi_number = forms.CharField(label="Numéro du certificat Qualiopi", max_length=64)
    qualiopi_body = forms.CharField(label="Organisme certificateur Qualiopi", max_length=200, required=False)
    qualiopi_expires_on = forms.DateField(
        label="Date d'expiration du certificat Qualiopi", widget=forms.DateInput(attrs={"type": "date"})
    )
    certifications = forms.CharField(
        label="Certifications préparées",
        help_text="Codes RNCP ou RS séparés par des virgules, avec l'habilitation du certificateur",
    )
    certifier = forms.CharField(label="Certificateur ayant délivré les habilitations", max_length=300, required=False)
    directors_declaration = forms.BooleanField(
        label="Je déclare sur l'honneur qu'aucun dirigeant de l'organisme n'a fait l'objet d'une condamnation "
        "interdisant de diriger un organisme de formation"
    )

    def certification_codes(self) -> list[str]:
        return _codes(self.cleaned_data["certifications"])
