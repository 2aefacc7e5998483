"""Rebuild the search index from the catalogue and ask every running process to do the same."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from opencpf.search import runtime
from opencpf.search.services import offer_change_record

STEPS = ("lecture des offres", "indexation", "communes et suggestions")


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche à partir du catalogue (et le fait reconstruire par les serveurs web)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-signal", action="store_true", help="ne pas demander aux serveurs de reconstruire")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        ) as progress:
            task = progress.add_task("Index de recherche", total=len(STEPS) + 1)

            def step(message: str) -> None:
                progress.update(task, description=message.capitalize(), advance=1 if message not in STEPS[:1] else 0)

            rt = runtime.build(progress=step)
            progress.update(task, description="Terminé", completed=len(STEPS) + 1)
        runtime.reset(rt)
        if not options["no_signal"]:
            offer_change_record(offer_id=runtime.REBUILD_ALL)
        index = rt.index
        self.stdout.write(
            self.style.SUCCESS(
                f"Index reconstruit : {index.size} offres, {index.n_groups} résultats groupés, "
                f"{len(index.base.vocab)} termes, en {time.perf_counter() - started:.1f} s."
            )
        )
