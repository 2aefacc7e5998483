import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from opencpf.catalogue.management.progress import progress_bar
from opencpf.catalogue.models import Offer
from opencpf.catalogue.opendata import write_open_data


class Command(BaseCommand):
    help = "Écrit le CSV quotidien de l'offre de formation en données ouvertes (une ligne par formation et organisme)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--output", "-o", default="-")
        parser.add_argument("--delimiter", default=";")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        to_stdout = options["output"] == "-"
        total = Offer.objects.filter(is_published=True).values("training_id").distinct().count()
        with progress_bar("Formations", total, quiet=options["quiet"] or to_stdout) as advance:
            if to_stdout:
                n = write_open_data(sys.stdout, delimiter=options["delimiter"], progress=advance)
            else:
                with Path(options["output"]).open("w", encoding="utf-8", newline="") as fh:
                    n = write_open_data(fh, delimiter=options["delimiter"], progress=advance)
        if not to_stdout:
            self.stdout.write(f"{n} formation(s) écrite(s) dans {options['output']}")
