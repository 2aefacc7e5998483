from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencpf.catalogue.exceptions import ReferentialFileError
from opencpf.catalogue.importers.base import count_lines
from opencpf.catalogue.importers.referentials import import_formacode, import_nsf_dict
from opencpf.catalogue.management.progress import progress_bar, write_summaries


class Command(BaseCommand):
    help = "Importe le référentiel Formacode (CSV : formacode, description, field, generic_term) et, avec --nsf, la nomenclature NSF (dictionnaire LHEO). Idempotent."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="formacode_description.csv")
        parser.add_argument("--nsf", help="lheo-dict-NSF.xml (nomenclature des spécialités de formation)")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with progress_bar("Formacode", count_lines([path]) - 1, quiet=options["quiet"]) as advance:
            try:
                summaries = [import_formacode(path, progress=advance)]
            except ReferentialFileError as exc:
                raise CommandError(exc.message) from exc
        if options["nsf"]:
            nsf = Path(options["nsf"])
            if not nsf.is_file():
                raise CommandError(f"Fichier introuvable : {nsf}")
            with progress_bar("NSF", None, quiet=options["quiet"]) as advance:
                summaries.append(import_nsf_dict(nsf, progress=advance))
        write_summaries(self.stdout.write, summaries)
