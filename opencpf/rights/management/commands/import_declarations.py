from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencpf.rights.declarations import declarations_import, rejection_report


class Command(BaseCommand):
    help = "Importe un fichier de déclarations d'employeurs (CSV ou JSON, voir docs/rights.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--strict", action="store_true", help="refuser tout le fichier s'il a une ligne invalide")
        parser.add_argument("--report", type=Path, help="rapport des rejets (défaut : FICHIER.rejets.csv)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        result = declarations_import(path=path, strict=options["strict"])
        for line, reason in result.rejected[:50]:
            self.stderr.write(f"ligne {line} : {reason}")
        if len(result.rejected) > 50:
            self.stderr.write(f"… et {len(result.rejected) - 50} autres lignes rejetées")
        if options["strict"] and result.rejected:
            raise CommandError(f"Fichier refusé : {len(result.rejected)} ligne(s) invalide(s), rien n'a été importé.")
        if result.rejected:
            report = options["report"] or path.with_name(path.name + ".rejets.csv")
            rejection_report(result, report)
            self.stderr.write(f"Rapport des rejets : {report}")
        self.stdout.write(
            f"{result.created} créée(s), {result.corrected} corrigée(s), {result.unchanged} inchangée(s), "
            f"{len(result.rejected)} rejetée(s)."
        )
