import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opencpf.catalogue.exceptions import LheoError
from opencpf.catalogue.lheo.importer import import_document
from opencpf.catalogue.lheo.reader import read_document
from opencpf.catalogue.management.progress import progress_bar


def default_xsd() -> str:
    return getattr(settings, "LHEO_XSD_PATH", "") or os.environ.get("LHEO_XSD_PATH", "")


class Command(BaseCommand):
    help = (
        "Importe un fichier LHEO 2.2 ou 2.3 (formations, actions, sessions). Tout ou rien, sauf avec --partial "
        "qui importe les formations valides et liste les autres. Avec --xsd (ou LHEO_XSD_PATH), un document 2.3 "
        "est aussi validé contre le schéma officiel."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file")
        parser.add_argument(
            "--partial", action="store_true", help="importer les formations valides, rejeter les autres"
        )
        parser.add_argument("--xsd", default=None, help="chemin du schéma lheo-2.3.xsd")
        parser.add_argument("--no-publish", action="store_true", help="ne pas publier les offres importées")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        xsd = options["xsd"] or default_xsd() or None
        if xsd and not Path(xsd).is_file():
            raise CommandError(f"Schéma XSD introuvable : {xsd}")
        try:
            doc = read_document(path.read_bytes(), xsd_path=xsd)
        except LheoError as exc:
            raise CommandError(exc.message) from exc
        with progress_bar("Formations", len(doc.formations), quiet=options["quiet"]) as advance:
            report = import_document(
                doc, partial=options["partial"], publish=not options["no_publish"], progress=advance
            )
        w = self.stdout.write
        w(f"LHEO {report.version} : {report.formations} formation(s) lue(s), {report.imported} importée(s)")
        w(
            f"  offres : {report.offers_created} créée(s), {report.offers_updated} mise(s) à jour, "
            f"{report.offers_unchanged} inchangée(s), {report.published} publiée(s)"
        )
        w(f"  sessions : {report.sessions_created} créée(s), {report.sessions_updated} mise(s) à jour")
        if report.providers_created:
            w(f"  organismes créés (en attente de référencement) : {report.providers_created}")
        for ref, reasons in report.unpublished.items():
            w(f"  offre {ref} non publiée : " + " ; ".join(reasons))
        if report.rejected:
            for ref, problems in report.rejected.items():
                w(self.style.ERROR(f"  formation {ref} rejetée :"))
                for p in problems[:20]:
                    w(f"    {p}")
            if not options["partial"]:
                raise CommandError(
                    "Fichier rejeté : rien n'a été importé (utilisez --partial pour importer les formations valides)."
                )
