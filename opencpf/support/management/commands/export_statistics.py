"""python manage.py export_statistics OUTDIR: the operator's published aggregate datasets (CSV, small counts
suppressed; see opencpf/support/statistics.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from opencpf.core import clock
from opencpf.support.statistics import THRESHOLD, export_all


class Command(BaseCommand):
    help = "Écrit les jeux de données statistiques publiés (CSV, effectifs inférieurs à 10 masqués)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("outdir", type=Path)

    def handle(self, *args: Any, outdir: Path, **options: Any) -> None:
        done = export_all(outdir, on=clock.today())
        for name, rows in done.items():
            self.stdout.write(f"{name} : {rows} lignes")
        self.stdout.write(f"Seuil de secret statistique : {THRESHOLD}.")
