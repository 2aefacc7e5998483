"""The demo data `make run` loads once: people to log in as, and a small catalogue.

Domains add their own demo records here through their services, never by writing rows directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from opencpf.catalogue.generate import load_demo_catalogue
from opencpf.catalogue.models import Provider, ProviderStatus
from opencpf.identity.models import Holder, ProviderMembership, ProviderRole, User, UserKind
from opencpf.identity.roles import ROLE_LABELS
from opencpf.identity.services import holder_create, staff_user_create, user_email_mark_confirmed
from opencpf.web import demo_story as story

# Public demo accounts only, printed by `make run`: not a secret.
DEMO_PASSWORD = "Demo-opencpf-2026"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class DemoHolder:
    nir: str
    birth_name: str
    first_names: str
    birth_date: dt.date
    sex: str
    email: str


DEMO_HOLDERS = [
    DemoHolder(
        "2 88 03 75 056 123 53", "Lefèvre", "Camille", dt.date(1988, 3, 21), "F", "camille.lefevre@demo.opencpf.fr"
    ),
    DemoHolder("1 92 01 69 387 045 79", "Bernard", "Karim", dt.date(1992, 1, 9), "M", "karim.bernard@demo.opencpf.fr"),
]
DEMO_PROVIDER_STAFF = ("direction@formapro-lyon.demo.opencpf.fr", "Sophie", "Roux")
DEMO_AGENTS = [  # one per role of identity.roles
    ("agent.support@demo.opencpf.fr", "Lucas", "Petit", "support"),
    ("agent.admin@demo.opencpf.fr", "Inès", "Moreau", "administrator"),
    ("agent.gestion@demo.opencpf.fr", "Thomas", "Garnier", "case_manager"),
    ("agent.controle@demo.opencpf.fr", "Julie", "Fontaine", "controller"),
    ("agent.paiements@demo.opencpf.fr", "Hugo", "Lambert", "payment_officer"),
    ("agent.fraude@demo.opencpf.fr", "Nadia", "Chevalier", "fraud_analyst"),
]
BASE_URL = "http://127.0.0.1:8000"
PORTALS = [  # (label, URL) printed by `seed_demo`
    ("Site des titulaires", f"{BASE_URL}/"),
    ("Portail des organismes", f"{BASE_URL}/organisme/"),
    ("Back-office des gestionnaires", f"{BASE_URL}/gestion/"),
    ("Documentation de l'API", f"{BASE_URL}/api/v1/docs"),
]


def already_loaded() -> bool:
    return User.objects.filter(email=DEMO_AGENTS[0][0]).exists() and story.already_told()


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Create the demo records once; return the logins to print (portal, identifier, password)."""
    logins: list[tuple[str, str, str]] = []
    if not User.objects.filter(email=DEMO_AGENTS[0][0]).exists():
        for h in DEMO_HOLDERS:
            demo_holder = holder_create(
                nir=h.nir,
                birth_name=h.birth_name,
                first_names=h.first_names,
                birth_date=h.birth_date,
                sex=h.sex,
                email=h.email,
                password=DEMO_PASSWORD,
            )
            user_email_mark_confirmed(user=demo_holder.user)
        email, first, last = DEMO_PROVIDER_STAFF
        staff = staff_user_create(
            email=email, password=DEMO_PASSWORD, kind=UserKind.PROVIDER, first_name=first, last_name=last
        )
        provider = Provider.objects.create(
            name="FormaPro Lyon",
            siret="73282932000074",
            nda="84691234569",
            status=ProviderStatus.REFERENCED,
            headcount=12,
            email="contact@formapro-lyon.demo.opencpf.fr",
        )
        ProviderMembership.objects.create(user=staff, provider=provider, role=ProviderRole.ADMINISTRATOR)
        load_demo_catalogue(provider)  # 30 providers, 300 offers, and FormaPro Lyon's English courses
    for email, first, last, role in DEMO_AGENTS:  # each one on its own: older demo databases get the new roles
        if not User.objects.filter(email=email).exists():
            agent = staff_user_create(
                email=email, password=DEMO_PASSWORD, kind=UserKind.AGENT, first_name=first, last_name=last
            )
            group, _ = Group.objects.get_or_create(name=role)
            agent.groups.add(group)
    if not story.already_told():
        story.tell(
            holders=[Holder.objects.get(user__email=h.email) for h in DEMO_HOLDERS],
            staff=User.objects.get(email=DEMO_PROVIDER_STAFF[0]),
            payment_officer=User.objects.get(email=agent_for("payment_officer")),
            nirs=[h.nir for h in DEMO_HOLDERS],
        )
    for h in DEMO_HOLDERS:
        logins.append((f"Titulaire ({h.first_names})  {BASE_URL}/connexion/", h.nir, DEMO_PASSWORD))
    logins.append(
        ("Organisme (FormaPro Lyon)  " + BASE_URL + "/organisme/connexion/", DEMO_PROVIDER_STAFF[0], DEMO_PASSWORD)
    )
    for email, _first, _last, role in DEMO_AGENTS:
        logins.append(
            (f"Gestionnaire ({ROLE_LABELS.get(role, role)})  {BASE_URL}/gestion/connexion/", email, DEMO_PASSWORD)
        )
    return logins


def agent_for(role: str) -> str:
    return next(email for email, _first, _last, r in DEMO_AGENTS if r == role)


def holders_count() -> int:
    return Holder.objects.count()
