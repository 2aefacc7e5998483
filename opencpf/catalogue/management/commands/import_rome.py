from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencpf.catalogue.exceptions import ReferentialFileError
from opencpf.catalogue.importers.base import count_lines
from opencpf.catalogue.importers.referentials import import_rome, rome_files
from opencpf.catalogue.management.progress import progress_bar, write_summaries


class Command(BaseCommand):
    help = "Importe le ROME (codes métiers et appellations, CSV de France Travail). Idempotent."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path", help="dossier (fichiers *code_rome*.csv et *appellation*.csv) ou fichier des codes")
        parser.add_argument("--titles", help="fichier des appellations (si le chemin est un fichier)")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        codes, titles = rome_files(Path(options["path"]))
        if options["titles"]:
            titles = Path(options["titles"])
        if codes is None or not codes.is_file():
            raise CommandError(f"Fichier des codes ROME introuvable : {options['path']}")
        files = [p for p in (codes, titles) if p is not None]
        with progress_bar("ROME", count_lines(files) - len(files), quiet=options["quiet"]) as advance:
            try:
                summaries = import_rome(codes, titles, progress=advance)
            except ReferentialFileError as exc:
                raise CommandError(exc.message) from exc
        write_summaries(self.stdout.write, summaries)
