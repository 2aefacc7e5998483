from django.core.management.base import BaseCommand

from opencpf.catalogue.services import offers_enforce_compliance


class Command(BaseCommand):
    help = (
        "Dépublie les offres dont l'organisme n'est plus référencé, dont le certificat Qualiopi a expiré, "
        "dont l'habilitation a été retirée ou dont la certification n'est plus active (tâche quotidienne, idempotente)."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for reason, n in offers_enforce_compliance().items():
            self.stdout.write(f"{reason} : {n} offre(s) dépubliée(s)")
