from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from opencpf.identity.models import UserKind


class PortalLoginForm(AuthenticationForm):
    """Django's login form, restricted to one kind of account per portal."""

    portal_kind: str = UserKind.HOLDER
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Vérifiez votre saisie.",
        "inactive": "Ce compte est désactivé.",
    }

    def confirm_login_allowed(self, user):  # type: ignore[no-untyped-def]
        super().confirm_login_allowed(user)
        if user.kind != self.portal_kind:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class HolderLoginForm(PortalLoginForm):
    portal_kind = UserKind.HOLDER
    error_messages = {
        "invalid_login": "Numéro de sécurité sociale ou mot de passe incorrect. Vérifiez votre saisie.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Numéro de sécurité sociale"
        self.fields[
            "username"
        ].help_text = "15 caractères : 13 chiffres (2A ou 2B pour la Corse) et une clé de 2 chiffres"
        self.fields["password"].label = "Mot de passe"


class StaffLoginForm(PortalLoginForm):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].help_text = "Format attendu : nom@domaine.fr"
        self.fields["password"].label = "Mot de passe"

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class ProviderLoginForm(StaffLoginForm):
    portal_kind = UserKind.PROVIDER


class AgentLoginForm(StaffLoginForm):
    portal_kind = UserKind.AGENT
