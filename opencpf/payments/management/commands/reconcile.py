from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from opencpf.core.money import format_eur
from opencpf.payments.reconcile import reconcile

LABELS = {
    "captured": "droits débités",
    "card": "payé par carte",
    "owed": "dû aux organismes",
    "refunds": "remboursé",
    "forfeits": "conservé par l'opérateur (droits perdus)",
    "paid": "versé aux organismes",
    "payable": "restant à verser",
}


class Command(BaseCommand):
    help = (
        "Rapproche, par dossier et au total, l'argent pris aux payeurs (droits débités, carte) et ce qui est dû "
        "ou versé aux organismes, remboursé ou perdu. Code de sortie 1 en cas d'écart."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reconcile()
        for key, label in LABELS.items():
            self.stdout.write(f"{label} : {format_eur(result.totals[key])}")
        for problem in result.problems:
            self.stderr.write(problem)
        if result.problems:
            self.stderr.write(f"{len(result.problems)} écart(s) sur {result.dossiers} dossier(s) soldé(s).")
            sys.exit(1)
        self.stdout.write(f"Rapprochement juste : {result.dossiers} dossier(s) soldé(s), aucun écart.")
