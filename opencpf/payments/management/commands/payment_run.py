from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opencpf.core.exceptions import DomainError
from opencpf.core.money import format_eur
from opencpf.payments.runs import payment_run, payment_run_confirm, payment_run_mark_sent


class Command(BaseCommand):
    help = (
        "Paie les organismes : reprend une campagne interrompue, puis prépare, comptabilise et écrit le fichier "
        "pain.001 d'une nouvelle campagne. --sent REF / --confirm REF : campagne envoyée / confirmée par la banque."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--execution-date", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--sent", metavar="RUN", help="marquer la campagne comme envoyée à la banque")
        parser.add_argument("--confirm", metavar="RUN", help="marquer la campagne comme confirmée par la banque")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["sent"]:
                run = payment_run_mark_sent(run=options["sent"])
                self.stdout.write(f"Campagne {run.reference} : {run.get_state_display()}.")
                return
            if options["confirm"]:
                run = payment_run_confirm(run=options["confirm"])
                self.stdout.write(f"Campagne {run.reference} : {run.get_state_display()}.")
                return
            outcome = payment_run(execution_date=options["execution_date"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        for reference in outcome.resumed:
            self.stdout.write(f"Campagne {reference} interrompue : reprise et terminée.")
        for run in outcome.runs:
            self.stdout.write(
                f"Campagne {run.reference} : {run.line_count} organisme(s), {run.item_count} montant(s) de dossiers, "
                f"{format_eur(run.total_cents)} viré(s), fichier {run.file_sha256[:12] or 'sans virement'}."
            )
        for reason, count in sorted(outcome.skipped.items()):
            self.stdout.write(f"Écarté(s) : {count} dossier(s) – {reason}.")
        if not outcome.runs:
            self.stdout.write("Aucun dossier à payer.")
