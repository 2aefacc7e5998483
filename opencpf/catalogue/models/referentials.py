"""National referentials: certifications (RNCP/RS) and their links, Formacode, NSF, ROME, communes."""

from __future__ import annotations

from django.db import models


class CertificationKind(models.TextChoices):
    RNCP = "RNCP", "Répertoire national des certifications professionnelles"
    RS = "RS", "Répertoire spécifique"
    OTHER = "OTHER", "Autre action éligible (permis, bilan, VAE, création d'entreprise)"


class Certifier(models.Model):
    """A body that owns certifications (certificateur) and authorises providers to prepare them."""

    name = models.CharField("nom", max_length=300, unique=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)

    class Meta:
        verbose_name = "certificateur"
        verbose_name_plural = "certificateurs"

    def __str__(self) -> str:
        return self.name


class Certification(models.Model):
    code = models.CharField("code", max_length=20, unique=True, help_text="RNCP12345 ou RS1234")
    kind = models.CharField("répertoire", max_length=8, choices=CertificationKind.choices)
    title = models.CharField("intitulé", max_length=500)
    level = models.PositiveSmallIntegerField("niveau européen", null=True, blank=True)
    is_active = models.BooleanField("active", default=True)
    valid_until = models.DateField("fin de validité", null=True, blank=True)
    type_code = models.CharField("code du type", max_length=60, blank=True)
    type_label = models.CharField("type de certification", max_length=200, blank=True)
    registration = models.CharField("type d'enregistrement", max_length=60, blank=True)
    replaced_by = models.CharField("nouvelle fiche", max_length=20, blank=True)
    certifinfo_code = models.CharField("code CertifInfo", max_length=10, blank=True)
    rome_codes = models.JSONField("codes ROME", default=list, blank=True)
    nsf_codes = models.JSONField("codes NSF", default=list, blank=True)
    certifiers = models.ManyToManyField(Certifier, blank=True, related_name="certifications")

    class Meta:
        verbose_name = "certification"
        verbose_name_plural = "certifications"

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"


class SkillBlock(models.Model):
    """A block of skills (bloc de compétences) of a certification."""

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="skill_blocks")
    code = models.CharField("code du bloc", max_length=30, unique=True)
    title = models.TextField("intitulé")

    class Meta:
        verbose_name = "bloc de compétences"
        verbose_name_plural = "blocs de compétences"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.title[:60]}"


class Formacode(models.Model):
    code = models.CharField("code", max_length=5, unique=True)
    label = models.CharField("libellé", max_length=300)
    field = models.CharField("champ", max_length=200, blank=True)
    parent_code = models.CharField("terme générique", max_length=5, blank=True)

    class Meta:
        verbose_name = "code Formacode"
        verbose_name_plural = "codes Formacode"

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Nsf(models.Model):
    """Nomenclature des spécialités de formation: '312', '110f'."""

    code = models.CharField("code", max_length=4, unique=True)
    label = models.CharField("libellé", max_length=300)

    class Meta:
        verbose_name = "domaine NSF"
        verbose_name_plural = "domaines NSF"

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class RomeJob(models.Model):
    code = models.CharField("code ROME", max_length=5, unique=True)
    title = models.CharField("intitulé", max_length=300)
    parent_code = models.CharField("code ROME parent", max_length=5, blank=True)

    class Meta:
        verbose_name = "métier ROME"
        verbose_name_plural = "métiers ROME"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RomeTitle(models.Model):
    """An appellation (job title) of a ROME code."""

    ogr_code = models.CharField("code OGR", max_length=10, unique=True)
    title = models.CharField("appellation", max_length=300)
    rome_code = models.CharField("code ROME", max_length=5, db_index=True)

    class Meta:
        verbose_name = "appellation ROME"
        verbose_name_plural = "appellations ROME"

    def __str__(self) -> str:
        return self.title


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=150)
    department_code = models.CharField("département", max_length=3, db_index=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    postcodes = models.JSONField("codes postaux", default=list, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    district_of = models.CharField("arrondissement de", max_length=5, blank=True)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"

    def __str__(self) -> str:
        return f"{self.name} ({self.department_code})"
