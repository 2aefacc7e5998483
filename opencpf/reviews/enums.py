"""Criteria, scores and comment statuses of ratings."""

from __future__ import annotations

from django.db import models

# The five criteria the holder rates (cpf-rules.md, Ratings): field name -> label.
CRITERIA: tuple[tuple[str, str], ...] = (
    ("accompagnement", "Accompagnement"),
    ("moyens", "Moyens"),
    ("encadrants", "Encadrants"),
    ("accueil", "Accueil"),
    ("contenu", "Contenu"),
)
CRITERIA_NAMES = tuple(name for name, _ in CRITERIA)
SCORES: tuple[tuple[int, str], ...] = (
    (1, "Très insuffisant"),
    (2, "Insuffisant"),
    (3, "Moyen"),
    (4, "Bien"),
    (5, "Excellent"),
)
MIN_SCORE, MAX_SCORE = 1, 5


class CommentStatus(models.TextChoices):
    NONE = "", "Sans commentaire"
    PENDING = "pending", "En attente de modération"
    PUBLISHED = "published", "Publié"
    REJECTED = "rejected", "Refusé"
