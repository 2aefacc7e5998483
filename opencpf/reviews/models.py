"""A holder's rating of a training (one per dossier) and the public summaries per offer and per provider."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opencpf.reviews.enums import CRITERIA_NAMES, MAX_SCORE, MIN_SCORE, CommentStatus


def _score(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label)


class Rating(models.Model):
    """Scores 1-5 on five criteria and an optional comment. Public without the holder's identity.

    The scores count in the averages at once; the comment is public once `comment_status` is published
    (at once when `moderation.screen_comment` finds nothing, after an agent's decision otherwise).
    """

    dossier = models.OneToOneField("enrolment.Dossier", on_delete=models.PROTECT, related_name="rating")
    offer = models.ForeignKey("catalogue.Offer", on_delete=models.PROTECT, related_name="ratings")
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="ratings")
    accompagnement = _score("accompagnement")
    moyens = _score("moyens")
    encadrants = _score("encadrants")
    accueil = _score("accueil")
    contenu = _score("contenu")
    comment = models.TextField("commentaire", blank=True)
    comment_status = models.CharField(
        "état du commentaire", max_length=16, choices=CommentStatus.choices, blank=True, default=""
    )
    hold_reasons = models.CharField("motifs de mise en attente", max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    moderated_at = models.DateTimeField("modéré le", null=True, blank=True)
    rejection_reason = models.CharField("motif du refus", max_length=300, blank=True)
    created_at = models.DateTimeField("noté le")

    class Meta:
        verbose_name = "évaluation"
        verbose_name_plural = "évaluations"
        ordering = ["-created_at", "-id"]
        permissions = [("moderate_rating", "Modérer les commentaires des évaluations")]
        indexes = [
            models.Index(fields=["comment_status", "created_at"], name="rating_moderation_idx"),
            models.Index(fields=["offer", "comment_status", "created_at"], name="rating_offer_idx"),
            models.Index(fields=["provider", "comment_status", "created_at"], name="rating_provider_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    **{f"{name}__gte": MIN_SCORE for name in CRITERIA_NAMES},
                    **{f"{name}__lte": MAX_SCORE for name in CRITERIA_NAMES},
                ),
                name="rating_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Évaluation du dossier {self.dossier_id}"

    @property
    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in CRITERIA_NAMES}

    @property
    def average(self) -> float:
        return sum(self.scores.values()) / len(CRITERIA_NAMES)


class RatingTotals(models.Model):
    """Count and sums of the scores of the ratings of one offer or provider (updated with each rating)."""

    count = models.PositiveIntegerField("nombre d'évaluations", default=0)
    sum_accompagnement = models.PositiveBigIntegerField(default=0)
    sum_moyens = models.PositiveBigIntegerField(default=0)
    sum_encadrants = models.PositiveBigIntegerField(default=0)
    sum_accueil = models.PositiveBigIntegerField(default=0)
    sum_contenu = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True


class OfferRatingSummary(RatingTotals):
    offer = models.OneToOneField(
        "catalogue.Offer", on_delete=models.CASCADE, primary_key=True, related_name="rating_summary"
    )

    class Meta:
        verbose_name = "moyenne des évaluations d'une offre"
        verbose_name_plural = "moyennes des évaluations des offres"

    def __str__(self) -> str:
        return f"Offre {self.offer_id} : {self.count} évaluations"


class ProviderRatingSummary(RatingTotals):
    provider = models.OneToOneField(
        "catalogue.Provider", on_delete=models.CASCADE, primary_key=True, related_name="rating_summary"
    )

    class Meta:
        verbose_name = "moyenne des évaluations d'un organisme"
        verbose_name_plural = "moyennes des évaluations des organismes"

    def __str__(self) -> str:
        return f"Organisme {self.provider_id} : {self.count} évaluations"
