import time

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from opencpf.identity import second_factor
from opencpf.web import demo


def agent_second_factor_note() -> str:
    """How the demo's agents pass the second factor asked after their password (IDENTITY_AGENT_SECOND_FACTOR)."""
    if second_factor.mode() == second_factor.MODE_EMAIL:
        return (
            "Gestionnaires : après le mot de passe, un code de sécurité est demandé. Cliquez sur « Recevoir un code "
            "par courriel » : le courriel (et son code) s'affiche dans ce terminal. Vous pouvez aussi configurer une "
            "application d'authentification."
        )
    if second_factor.mode() == second_factor.MODE_TOTP:
        return (
            "Gestionnaires : après le mot de passe, le code d'une application d'authentification est demandé ; "
            "à la première connexion, configurez-la avec le code envoyé par courriel."
        )
    return "Gestionnaires : second facteur désactivé (IDENTITY_AGENT_SECOND_FACTOR=off)."


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
        self.stdout.write("\n" + agent_second_factor_note())
        self.stdout.write(
            "\nLe titulaire Camille a un dossier à noter et une proposition à accepter ; FormaPro Lyon a une demande "
            "à traiter ; les gestionnaires ont un commentaire à modérer, une alerte et des demandes d'assistance.\n"
        )
