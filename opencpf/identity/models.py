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
    email_confirmed_at = models.DateTimeField("courriel confirmé le", null=True, blank=True)
    # Last change of email, phone or password: purchases are blocked for a while after it.
    security_changed_at = models.DateTimeField("coordonnées modifiées le", null=True, blank=True)

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        permissions = [("manage_agents", "Gérer les comptes des gestionnaires")]


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
    birthplace = models.CharField("lieu de naissance (code INSEE)", max_length=5, blank=True)
    franceconnect_sub = models.CharField(max_length=128, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "titulaire"
        verbose_name_plural = "titulaires"
        permissions = [("view_holder_personal_data", "Consulter les données personnelles d'un titulaire")]
        # FranceConnect's first sign-in finds the holder by the identity pivot (birth date and sex, then names).
        indexes = [models.Index(fields=["birth_date", "sex"], name="holder_birth_date_sex_idx")]

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


class UserSession(models.Model):
    """A signed-in browser session, so that its owner can list and end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "session"
        verbose_name_plural = "sessions"

    def __str__(self) -> str:
        return f"session de {self.user_id} ({self.created_at:%d/%m/%Y %H:%M})"


class ApiToken(models.Model):
    """A mobile-app token pair: short-lived access token and a longer refresh token, both stored hashed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    access_hash = models.CharField(max_length=64, unique=True)
    refresh_hash = models.CharField(max_length=64, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    strong_until = models.DateTimeField(null=True, blank=True)
    label = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"jeton {self.pk} de {self.user_id}"


class ProviderApiKey(models.Model):
    """A key for a provider's software. Only its hash is stored; the key is shown once."""

    provider = models.ForeignKey("catalogue.Provider", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "clé d'API d'organisme"
        verbose_name_plural = "clés d'API d'organismes"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
