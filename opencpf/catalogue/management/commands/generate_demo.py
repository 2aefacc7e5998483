import contextlib

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from opencpf.catalogue.generate import generate


class Command(BaseCommand):
    help = (
        "Génère un catalogue de démonstration réaliste (organismes référencés, formations, offres, sessions, "
        "titulaires). Utilise les vraies certifications et communes si les référentiels sont chargés."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--providers", type=int, default=30)
        parser.add_argument("--offers", type=int, default=300)
        parser.add_argument("--sessions", type=int, default=900)
        parser.add_argument("--holders", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        with contextlib.ExitStack() as stack:
            bar = None
            if not options["quiet"]:
                progress = stack.enter_context(
                    Progress(
                        TextColumn("[bold]{task.description}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TimeElapsedColumn(),
                        TimeRemainingColumn(),
                        console=Console(stderr=True),
                    )
                )

                def bar(label, total):  # type: ignore[no-untyped-def]
                    task = progress.add_task(label, total=total)
                    return lambda n: progress.advance(task, n)

            report = generate(
                providers=options["providers"],
                offers=options["offers"],
                sessions=options["sessions"],
                holders=options["holders"],
                seed=options["seed"],
                progress=bar,
            )
        source = "référentiels chargés" if report.used_referentials else "jeu intégré (référentiels absents)"
        self.stdout.write(
            f"{report.providers} organismes, {report.trainings} formations, {report.offers} offres, "
            f"{report.sessions} sessions, {report.holders} titulaires ({source}) en {report.timings['total']:.1f} s"
        )
        self.stdout.write("Étapes (s cumulées) : " + ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items()))
