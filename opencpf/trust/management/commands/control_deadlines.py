"""python manage.py control_deadlines [--on YYYY-MM-DD]: remind providers before a control's deadline and mark
the controls left unanswered after it, each once (safe to kill and run again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from opencpf.trust.controls import control_deadlines


class Command(BaseCommand):
    help = "Relance les organismes avant la date limite d'un contrôle et signale les contrôles restés sans réponse."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="Date du jour (AAAA-MM-JJ)")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = control_deadlines(on=options["on"])
        self.stdout.write(
            f"Contrôles relancés : {len(outcome.reminded)} ; contrôles sans réponse dans le délai : "
            f"{len(outcome.lapsed)}"
        )
        for reference in outcome.lapsed:
            self.stdout.write(f"  sans réponse : {reference}")
