from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from opencpf.rights.selectors import ledger_verify


class Command(BaseCommand):
    help = "Recalcule chaque solde à partir des écritures et vérifie que chaque mouvement est équilibré."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_verify()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            self.stderr.write(f"{len(problems)} écart(s) trouvé(s).")
            sys.exit(1)
        self.stdout.write("Grand livre cohérent : aucun écart.")
