import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from opencpf.catalogue.lheo.writer import iter_chunked, trainings_for_export, write_lheo
from opencpf.catalogue.management.progress import progress_bar
from opencpf.catalogue.models import Training


class Command(BaseCommand):
    help = "Exporte le catalogue au format LHEO 2.3 (valide contre le schéma officiel)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--output", "-o", default="-", help="fichier de sortie (- pour la sortie standard)")
        parser.add_argument("--provider", help="SIRET d'un organisme")
        parser.add_argument("--published-only", action="store_true")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        qs = Training.objects.all()
        if options["provider"]:
            qs = qs.filter(provider__siret=options["provider"])
        trainings = trainings_for_export(qs, published_only=options["published_only"])
        to_stdout = options["output"] == "-"
        quiet = options["quiet"] or to_stdout
        with progress_bar("Formations", trainings.count(), quiet=quiet) as advance:

            def counted():  # type: ignore[no-untyped-def]
                for t in iter_chunked(trainings):
                    advance(1)
                    yield t

            if to_stdout:
                n = write_lheo(sys.stdout.buffer, counted())
            else:
                with Path(options["output"]).open("wb") as fh:
                    n = write_lheo(fh, counted())
        if not to_stdout:
            self.stdout.write(f"{n} formation(s) exportée(s) dans {options['output']}")
