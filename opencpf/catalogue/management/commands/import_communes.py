from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencpf.catalogue.exceptions import ReferentialFileError
from opencpf.catalogue.importers.base import count_lines
from opencpf.catalogue.importers.referentials import import_communes
from opencpf.catalogue.management.progress import progress_bar, write_summaries


class Command(BaseCommand):
    help = "Importe les communes (code INSEE, nom, département, région, codes postaux, coordonnées). Idempotent."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "file", help="CSV des communes (REF_INSEE, NAME, DEPARTMENT, REGION, ZIP_CODES, LATITUDE, LONGITUDE)"
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with progress_bar("Communes", count_lines([path]) - 1, quiet=options["quiet"]) as advance:
            try:
                summary = import_communes(path, progress=advance)
            except ReferentialFileError as exc:
                raise CommandError(exc.message) from exc
        write_summaries(self.stdout.write, [summary])
