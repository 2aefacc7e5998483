from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opencpf.core.money import format_eur
from opencpf.rights.crediting import credit_year


class Command(BaseCommand):
    help = "Alimente (ou corrige) les droits de l'année à partir des déclarations des employeurs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--chunk-size", type=int, default=50_000, help="comptes par transaction")
        parser.add_argument("--throttle-ms", type=int, default=0, help="pause entre deux lots (ménage la base)")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]

        def progress(done: int, total: int, count: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {done}/{total} identifiants traités, {count} comptes crédités dans ce lot")

        result = credit_year(
            year=options["year"],
            chunk_size=options["chunk_size"],
            throttle_seconds=options["throttle_ms"] / 1000,
            progress=progress,
        )
        self.stdout.write(
            f"{options['year']} : {result.holders} titulaires, {result.credited_accounts} comptes mouvementés, "
            f"{format_eur(result.total_cents)} en {result.seconds:.1f} s ({result.chunks} lots)."
        )
