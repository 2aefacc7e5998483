from django.core.management.base import BaseCommand

from opencpf.web import demo


class Command(BaseCommand):
    help = "Charge les données de démonstration une seule fois et affiche les identifiants de démonstration."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        fresh = not demo.already_loaded()
        logins = demo.load()
        self.stdout.write(
            self.style.SUCCESS(
                "Données de démonstration chargées." if fresh else "Données de démonstration déjà présentes."
            )
        )
        self.stdout.write("\nIdentifiants de démonstration :")
        for portal, identifier, password in logins:
            self.stdout.write(f"  {portal}\n      identifiant : {identifier}\n      mot de passe : {password}")
        self.stdout.write("\nDocumentation de l'API : http://127.0.0.1:8000/api/docs\n")
