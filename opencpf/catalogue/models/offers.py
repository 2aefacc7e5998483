"""The catalogue's core schema: providers, certifications, trainings (LHEO formation), offers (action), sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opencpf.catalogue.models.referentials import Certification, Commune


class ProviderStatus(models.TextChoices):
    PENDING = "pending", "En cours d'examen"
    REFERENCED = "referenced", "Référencé"
    REFUSED = "refused", "Refusé"
    SUSPENDED = "suspended", "Suspendu"
    DELISTED = "delisted", "Déréférencé"


class Provider(models.Model):
    """A training organisation (organisme de formation)."""

    name = models.CharField("raison sociale", max_length=250)
    siret = models.CharField("SIRET", max_length=14, unique=True)
    nda = models.CharField("numéro de déclaration d'activité", max_length=11, blank=True)
    status = models.CharField("statut", max_length=16, choices=ProviderStatus.choices, default=ProviderStatus.PENDING)
    headcount = models.PositiveIntegerField("effectif déclaré", null=True, blank=True)
    email = models.EmailField("courriel de contact", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    referenced_at = models.DateTimeField(null=True, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=150, blank=True)
    applied_at = models.DateTimeField("demande de référencement", null=True, blank=True)
    check_deadline = models.DateField("date limite d'instruction", null=True, blank=True)
    status_changed_at = models.DateTimeField("dernier changement de statut", null=True, blank=True)
    status_reason = models.CharField("motif du statut", max_length=500, blank=True)
    directors_declaration = models.BooleanField(
        "déclaration sur l'honneur des dirigeants (aucune condamnation)", default=False
    )
    directors_declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "organisme de formation"
        verbose_name_plural = "organismes de formation"

    def __str__(self) -> str:
        return self.name


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "En présentiel"
    DISTANCE = "distance", "À distance"
    MIXED = "mixed", "Mixte"


class Training(models.Model):
    """What is taught (LHEO formation), leading to one certification."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="trainings")
    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="trainings")
    certifinfo_code = models.CharField("code CertifInfo", max_length=10, blank=True)
    reference = models.CharField("numéro de formation", max_length=64)
    title = models.CharField("intitulé", max_length=300)
    objectives = models.TextField("objectifs", blank=True)
    content = models.TextField("contenu", blank=True)
    expected_results = models.TextField("résultats attendus", blank=True)
    prerequisites = models.TextField("prérequis", blank=True)
    has_prerequisites = models.BooleanField("existence de prérequis", default=False)
    formacode_codes = models.JSONField("codes Formacode", default=list, blank=True)
    nsf_codes = models.JSONField("codes NSF", default=list, blank=True)
    rome_codes = models.JSONField("codes ROME", default=list, blank=True)
    entry_level = models.PositiveSmallIntegerField("niveau d'entrée", null=True, blank=True)
    exit_level = models.PositiveSmallIntegerField("niveau de sortie", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "formation"
        verbose_name_plural = "formations"
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="training_provider_reference_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Offer(models.Model):
    """A training delivered at a place with a price (LHEO action)."""

    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="offers")
    reference = models.CharField("numéro d'action", max_length=64)
    modality = models.CharField("modalité", max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    address = models.CharField("adresse", max_length=300, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=150, blank=True)
    insee_code = models.CharField("code INSEE", max_length=5, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    hours_total = models.PositiveIntegerField("durée totale (heures)")
    hours_centre = models.PositiveIntegerField("heures en centre", default=0)
    hours_company = models.PositiveIntegerField("heures en entreprise", default=0)
    price_incl_tax_cents = models.BigIntegerField("prix TTC (centimes)")
    price_excl_tax_cents = models.BigIntegerField("prix HT (centimes)")
    disability_access = models.BooleanField("accessible aux personnes en situation de handicap", default=True)
    disability_details = models.TextField("modalités handicap", blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    is_published = models.BooleanField("publiée", default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers")
    department_code = models.CharField("département", max_length=3, blank=True, db_index=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    unpublished_at = models.DateTimeField("dépubliée le", null=True, blank=True)
    unpublished_reason = models.CharField("motif de dépublication", max_length=500, blank=True)

    class Meta:
        verbose_name = "offre"
        verbose_name_plural = "offres"
        constraints = [
            models.UniqueConstraint(fields=["training", "reference"], name="offer_training_reference_unique"),
            models.CheckConstraint(condition=models.Q(price_incl_tax_cents__gte=0), name="offer_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.training.title} – {self.city or 'à distance'}"


class Session(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="sessions")
    reference = models.CharField("numéro de session", max_length=64)
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    is_recruiting = models.BooleanField("inscriptions ouvertes", default=True)
    capacity = models.PositiveIntegerField("places", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        verbose_name = "session"
        verbose_name_plural = "sessions"
        constraints = [
            models.UniqueConstraint(fields=["offer", "reference"], name="session_offer_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="session_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Session du {self.start_date:%d/%m/%Y}"


class OfferChangeAction(models.TextChoices):
    CREATED = "created", "Création"
    UPDATED = "updated", "Modification"
    PUBLISHED = "published", "Publication"
    UNPUBLISHED = "unpublished", "Dépublication"
    DUPLICATED = "duplicated", "Duplication"
    SESSION = "session", "Sessions"
    IMPORTED = "imported", "Import LHEO"


class OfferChange(models.Model):
    """Append-only log of every change to an offer: who, when, what (field -> [before, after])."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    source = models.CharField("origine", max_length=16, default="portal")
    action = models.CharField(max_length=16, choices=OfferChangeAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "modification d'offre"
        verbose_name_plural = "historique des offres"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.action} offre #{self.offer_id}"
