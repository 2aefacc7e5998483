"""The search domain stores only a change log: which offers changed, so every worker's index catches up."""

from __future__ import annotations

from django.db import models


class OfferChange(models.Model):
    """One offer changed (created, edited, published, unpublished). Workers read the rows above their watermark."""

    offer_id = models.BigIntegerField("offre")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "changement d'offre à indexer"
        verbose_name_plural = "changements d'offres à indexer"

    def __str__(self) -> str:
        return f"offre {self.offer_id}"
