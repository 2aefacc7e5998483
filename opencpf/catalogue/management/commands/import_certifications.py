from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencpf.catalogue.exceptions import ReferentialFileError
from opencpf.catalogue.importers.base import count_lines
from opencpf.catalogue.importers.referentials import RNCP_ENCODING, import_certifications, rncp_files
from opencpf.catalogue.management.progress import progress_bar, write_summaries


class Command(BaseCommand):
    help = (
        "Importe les certifications RNCP (fichiers de France Compétences : rncp_info, rncp_rome, rncp_nsf, "
        "rncp_blocs_competences, rncp_certificateurs ; Windows-1252, séparateur « ; »). Idempotent."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("directory", help="dossier contenant les fichiers rncp_*.csv")
        parser.add_argument("--quiet", action="store_true", help="sans barre de progression")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"Dossier introuvable : {directory}")
        files = [p for p in rncp_files(directory).values() if p is not None]
        if not files:
            raise CommandError(f"Aucun fichier rncp_*.csv dans {directory}")
        total = count_lines(files, RNCP_ENCODING) - len(files)
        with progress_bar("Certifications", total, quiet=options["quiet"]) as advance:
            try:
                summaries = import_certifications(directory, progress=advance)
            except ReferentialFileError as exc:
                raise CommandError(exc.message) from exc
        write_summaries(self.stdout.write, summaries)
