from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class UserKind(models.TextChoices):
    HOLDER = "holder", "Titulaire"
    PROVIDER = "provider", "Organisme de formation"
    AGENT = "agent", "Gestionnaire"


class User(AbstractUser):
    """One login. Holders sign in with their NIR (looked up by hash); providers' staff and agents with email."""

    kind = models.CharField("type de compte", max_length=16, choices=UserKind.choices, default=UserKind.HOLDER)
    phone = models.CharField("téléphone", max_length=20, blank=True)

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"


class Holder(models.Model):
    """A CPF account holder. The NIR is stored only as a keyed hash and an encrypted copy."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="holder")
    nir_hash = models.CharField(max_length=64, unique=True)
    nir_encrypted = models.TextField()
    nir_masked = models.CharField(max_length=32)
    birth_name = models.CharField("nom de naissance", max_length=150)
    usage_name = models.CharField("nom d'usage", max_length=150, blank=True)
    first_names = models.CharField("prénoms", max_length=150)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=[("M", "Homme"), ("F", "Femme")])
    postcode = models.CharField("code postal", max_length=5, blank=True)
    insee_code = models.CharField("commune (code INSEE)", max_length=5, blank=True)
    is_job_seeker = models.BooleanField("demandeur d'emploi", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "titulaire"
        verbose_name_plural = "titulaires"

    def __str__(self) -> str:
        return f"{self.first_names} {self.usage_name or self.birth_name}"


class ProviderRole(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrateur"
    MANAGER = "manager", "Gestionnaire"


class ProviderMembership(models.Model):
    """A member of a provider's staff. Staff of one provider never see another provider's data."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="provider_memberships")
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=16, choices=ProviderRole.choices, default=ProviderRole.MANAGER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "membre d'un organisme"
        verbose_name_plural = "membres des organismes"
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="membership_user_provider_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.provider} ({self.get_role_display()})"
