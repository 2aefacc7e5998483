from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opencpf.core.money import format_eur
from opencpf.payments.returns import StatusReportRefused, import_status_report


class Command(BaseCommand):
    help = (
        "Importe le rapport de statut de la banque (pain.002.001.03 ou pain.002.001.10) d'une campagne : les "
        "virements rejetés sont annulés (grand livre contrepassé, dossiers à payer de nouveau, organisme bloqué "
        "jusqu'à de nouvelles coordonnées bancaires). Tout ou rien ; importer deux fois le même fichier ne change rien."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="fichier pain.002 reçu de la banque")
        parser.add_argument("--reason", default="Import du rapport de statut de la banque (ligne de commande)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"status_report_unreadable: fichier illisible ({exc.strerror}).") from exc
        try:
            outcome = import_status_report(data=data, reason=options["reason"])
        except StatusReportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(f"{problem.code}: {problem.message}")
            raise CommandError(f"{exc.code}: rapport refusé, rien n'a été modifié.") from exc
        report = outcome.report
        if not outcome.created:
            self.stdout.write(
                f"Rapport {report.message_id} déjà importé le {report.imported_at:%d/%m/%Y} : rien à faire."
            )
            return
        statuses = ", ".join(f"{status} : {n}" for status, n in sorted(report.statuses.items())) or "aucun"
        self.stdout.write(f"Rapport {report.message_id} sur la campagne {report.run.reference} : {statuses}.")
        for line in outcome.rejected:
            self.stdout.write(
                f"Virement {line.end_to_end_id} rejeté ({line.rejection_code or 'sans code'} – {line.rejection_label}) : "
                f"{format_eur(line.amount_cents)}, dossiers à payer de nouveau."
            )
