"""Forms of the holder's identity pages. Messages in French, precise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password

from opencpf.identity import nir as nir_lib

SEX_CHOICES = [("F", "Femme"), ("M", "Homme")]


def clean_phone(value: str) -> str:
    digits = "".join(c for c in value if c.isdigit() or c == "+")
    if len(digits.lstrip("+")) < 9 or len(digits) > 16:
        raise forms.ValidationError("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.")
    return digits


class ActivationForm(forms.Form):
    nir = forms.CharField(
        label="Numéro de sécurité sociale",
        help_text="15 caractères, tels qu'inscrits sur votre carte Vitale (13 chiffres et une clé de 2 chiffres)",
        max_length=30,
    )
    birth_name = forms.CharField(label="Nom de naissance", max_length=150)
    first_names = forms.CharField(label="Prénoms", help_text="Tous vos prénoms, séparés par une espace", max_length=150)
    birth_date = forms.DateField(
        label="Date de naissance", help_text="Format attendu : JJ/MM/AAAA", input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    sex = forms.ChoiceField(label="Sexe", choices=SEX_CHOICES)
    birthplace = forms.CharField(
        label="Commune de naissance (code INSEE)",
        help_text="5 caractères ; laissez vide si vous êtes né(e) à l'étranger",
        max_length=5,
        required=False,
    )
    email = forms.EmailField(label="Adresse électronique", help_text="Format attendu : nom@domaine.fr")
    phone = forms.CharField(label="Téléphone mobile", help_text="Format attendu : 06 12 34 56 78", max_length=20)
    password = forms.CharField(
        label="Mot de passe", widget=forms.PasswordInput, help_text="12 caractères minimum, pas uniquement des chiffres"
    )
    password2 = forms.CharField(label="Confirmation du mot de passe", widget=forms.PasswordInput)

    error_messages = {"required": "Ce champ est obligatoire."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = "Ce champ est obligatoire."
        self.fields["birth_date"].error_messages["invalid"] = "Saisissez une date au format JJ/MM/AAAA."
        self.fields["email"].error_messages["invalid"] = "Saisissez une adresse électronique au format nom@domaine.fr."

    def clean_birth_date(self) -> dt.date:
        value = self.cleaned_data["birth_date"]
        if value > dt.date.today() or value.year < 1900:
            raise forms.ValidationError("La date de naissance n'est pas plausible.")
        return value

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("nir"):
            try:
                data["nir"] = nir_lib.validate(data["nir"], birth_date=data.get("birth_date"), sex=data.get("sex"))
            except nir_lib.InvalidNir as exc:
                self.add_error("nir", exc.message)
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif data.get("password"):
            try:
                validate_password(data["password"])
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class NirForm(forms.Form):
    nir = forms.CharField(label="Numéro de sécurité sociale", help_text="15 caractères", max_length=30)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="Nouvelle adresse électronique", help_text="Format attendu : nom@domaine.fr")


class PhoneChangeForm(forms.Form):
    phone = forms.CharField(
        label="Nouveau téléphone mobile", help_text="Format attendu : 06 12 34 56 78", max_length=20
    )

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="Mot de passe actuel", widget=forms.PasswordInput)
    new_password = forms.CharField(
        label="Nouveau mot de passe", widget=forms.PasswordInput, help_text="12 caractères minimum"
    )
    new_password2 = forms.CharField(label="Confirmation du nouveau mot de passe", widget=forms.PasswordInput)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("old_password") and not self.user.check_password(data["old_password"]):
            self.add_error("old_password", "Le mot de passe actuel est incorrect.")
        if data.get("new_password") and data.get("new_password2") and data["new_password"] != data["new_password2"]:
            self.add_error("new_password2", "Les deux mots de passe ne sont pas identiques.")
        elif data.get("new_password"):
            try:
                validate_password(data["new_password"], self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class ResetSetPasswordForm(SetPasswordForm):
    """Django's reset form, saving through our service (purchases blocked, old address notified)."""

    request: Any = None

    def save(self, commit: bool = True) -> Any:
        from opencpf.identity.services import user_password_change

        return user_password_change(
            request=self.request, user=self.user, new_password=self.cleaned_data["new_password1"], strong_required=False
        )
