"""python manage.py rebuild_rating_summaries: recompute the averages per offer and per provider from the ratings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opencpf.reviews.services import summaries_rebuild


class Command(BaseCommand):
    help = "Recalcule les moyennes des évaluations par offre et par organisme."

    def handle(self, *args: Any, **options: Any) -> None:
        offers, providers = summaries_rebuild()
        self.stdout.write(f"Moyennes recalculées : {offers} offres, {providers} organismes")
