"""python manage.py validate_service_done [--on YYYY-MM-DD]: validate service done after 5 business days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from opencpf.enrolment.services import validate_service_done


class Command(BaseCommand):
    help = "Valide le service fait des dossiers déclarés depuis 5 jours ouvrés, sauf contrôle en cours."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="Date du jour (AAAA-MM-JJ)")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = validate_service_done(on=options["on"])
        self.stdout.write(f"Service fait validé : {counts['validated']}, bloqué par un contrôle : {counts['blocked']}")
