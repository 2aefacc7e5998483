"""Forms of the ratings pages (holder) and of the moderation queue (back-office)."""

from __future__ import annotations

from typing import Any

from django import forms

from opencpf.reviews.enums import CRITERIA, SCORES


class RatingForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Publié sans votre nom. Pas de coordonnées ni de liens : ils seraient retenus pour modération.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CRITERIA:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choisissez une note pour « {label} »."},
            )

    def criteria(self) -> list[Any]:
        """The five score fields, in order, for the template's fieldsets."""
        return [self[name] for name, _ in CRITERIA]

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _ in CRITERIA}


class RejectForm(forms.Form):
    reason = forms.CharField(label="Motif du refus", max_length=300, widget=forms.TextInput)
