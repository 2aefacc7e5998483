"""python manage.py expire_deadlines [--on YYYY-MM-DD]: apply lapsed enrolment deadlines, idempotently."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from opencpf.enrolment.services import expire_deadlines


class Command(BaseCommand):
    help = "Applique une seule fois chaque échéance dépassée des dossiers et envoie les rappels dus."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="Date du jour (AAAA-MM-JJ)")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = expire_deadlines(on=options["on"])
        summary = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
        self.stdout.write(f"Échéances traitées — {summary}")
