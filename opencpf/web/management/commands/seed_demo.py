import time

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from opencpf.web import demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration une seule fois et affiche les adresses et identifiants de démonstration."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        fresh = not demo.already_loaded()
        started = time.perf_counter()
        # The story's notifications (requests, proposals, payments…) would flood the console: not sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            logins = demo.load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration chargées en {time.perf_counter() - started:.1f} s."
                if fresh
                else "Données de démonstration déjà présentes."
            )
        )
        self.stdout.write("\nAdresses :")
        for label, url in demo.PORTALS:
            self.stdout.write(f"  {label} : {url}")
        self.stdout.write("\nIdentifiants de démonstration (mot de passe commun : " + demo.DEMO_PASSWORD + ") :")
        for portal, identifier, password in logins:
            self.stdout.write(f"  {portal}\n      identifiant : {identifier}\n      mot de passe : {password}")
        self.stdout.write(
            "\nLe titulaire Camille a un dossier à noter et une proposition à accepter ; FormaPro Lyon a une demande "
            "à traiter ; les gestionnaires ont un commentaire à modérer, une alerte et des demandes d'assistance.\n"
        )
