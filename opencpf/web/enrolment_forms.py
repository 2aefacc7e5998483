"""Forms of the enrolment pages (holder, provider, back-office)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms

from opencpf.core.exceptions import DomainError
from opencpf.core.money import format_eur, parse_eur
from opencpf.enrolment.enums import DossierState, ExitReasonChoice

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class RequestForm(forms.Form):
    message = forms.CharField(label="Message à l'organisme", required=False, max_length=2000, widget=forms.TextInput)
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_token"].initial = uuid.uuid4().hex


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", max_length=500, widget=forms.TextInput)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", max_length=500, required=False, widget=forms.TextInput)


class ProposeForm(forms.Form):
    session = forms.TypedChoiceField(label="Session", coerce=int)
    start_date = forms.DateField(label="Date d'entrée", input_formats=DATE_FORMATS, help_text="Format : JJ/MM/AAAA")
    end_date = forms.DateField(label="Date de fin", input_formats=DATE_FORMATS, help_text="Format : JJ/MM/AAAA")
    price = forms.CharField(label="Prix TTC (€)", help_text="Exemple : 1 250,00 ; au plus le prix publié")
    message = forms.CharField(label="Message au titulaire", required=False, max_length=2000)

    def __init__(self, *args: Any, dossier: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sessions = dossier.offer.sessions.filter(is_recruiting=True).order_by("start_date")
        self.fields["session"].choices = [  # type: ignore[attr-defined]
            (s.pk, f"{s.reference} – du {s.start_date:%d/%m/%Y} au {s.end_date:%d/%m/%Y}") for s in sessions
        ] or [(dossier.session_id, str(dossier.session))]
        self.initial.setdefault("session", dossier.session_id)
        self.initial.setdefault("start_date", dossier.start_date.strftime("%d/%m/%Y"))
        self.initial.setdefault("end_date", dossier.end_date.strftime("%d/%m/%Y"))
        self.initial.setdefault("price", format_eur(dossier.price_cents, symbol=False))

    def clean_price(self) -> int:
        try:
            return parse_eur(self.cleaned_data["price"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message)


class ProviderFilterForm(forms.Form):
    state = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *DossierState.choices])
    due_before = forms.DateField(label="Échéance avant le", required=False, input_formats=DATE_FORMATS)
    q = forms.CharField(label="Numéro ou formation", required=False, max_length=100)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        due: dt.date | None = data.get("due_before")
        return {"state": data.get("state") or None, "due_before": due, "query": data.get("q") or ""}


class ExitForm(forms.Form):
    """The provider's exit (service-done) declaration: hours attended or completion rate, reason if partial."""

    exit_date = forms.DateField(label="Date de sortie", input_formats=DATE_FORMATS, help_text="Format : JJ/MM/AAAA")
    hours_attended = forms.IntegerField(
        label="Heures suivies", required=False, min_value=0, help_text="Ou bien le taux de réalisation ci-dessous"
    )
    completion_rate = forms.DecimalField(
        label="Taux de réalisation (%)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    reason = forms.ChoiceField(
        label="Motif de sortie",
        required=False,
        choices=[("", "Formation suivie en totalité"), *[c for c in ExitReasonChoice.choices if c[0] != "completed"]],
        help_text="Obligatoire si la formation n'a pas été suivie en totalité",
    )

    def __init__(self, *args: Any, dossier: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if dossier is not None:
            self.initial.setdefault("exit_date", dossier.end_date.strftime("%d/%m/%Y"))
            self.fields[
                "hours_attended"
            ].help_text = f"Sur {dossier.offer.hours_total} heures ; ou bien le taux de réalisation ci-dessous"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours, rate = data.get("hours_attended"), data.get("completion_rate")
        if (hours is None) == (rate is None) and not self.errors:
            raise forms.ValidationError("Indiquez soit le nombre d'heures suivies, soit le taux de réalisation.")
        data["completion_rate_bp"] = None if rate is None else int(rate * 100)
        return data
