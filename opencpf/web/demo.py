"""The demo data `make run` loads once: people to log in as, and a small catalogue.

Domains add their own demo records here through their services, never by writing rows directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from opencpf.catalogue.models import Provider, ProviderStatus
from opencpf.identity.models import Holder, ProviderMembership, ProviderRole, User, UserKind
from opencpf.identity.services import holder_create, staff_user_create, user_email_mark_confirmed

DEMO_PASSWORD = "Demo-opencpf-2026"  # noqa: S105 (public demo accounts only)


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
DEMO_AGENTS = [
    ("agent.support@demo.opencpf.fr", "Lucas", "Petit", "support"),
    ("agent.admin@demo.opencpf.fr", "Inès", "Moreau", "administrator"),
]


def already_loaded() -> bool:
    return User.objects.filter(email=DEMO_AGENTS[0][0]).exists()


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Create the demo records once; return the logins to print (portal, identifier, password)."""
    logins: list[tuple[str, str, str]] = []
    if not already_loaded():
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
        for email, first, last, role in DEMO_AGENTS:
            agent = staff_user_create(
                email=email, password=DEMO_PASSWORD, kind=UserKind.AGENT, first_name=first, last_name=last
            )
            group, _ = Group.objects.get_or_create(name=role)
            agent.groups.add(group)
    for h in DEMO_HOLDERS:
        logins.append(("Titulaire  http://127.0.0.1:8000/connexion/", h.nir, DEMO_PASSWORD))
    logins.append(("Organisme  http://127.0.0.1:8000/organisme/connexion/", DEMO_PROVIDER_STAFF[0], DEMO_PASSWORD))
    for email, *_ in DEMO_AGENTS:
        logins.append(("Gestionnaire  http://127.0.0.1:8000/gestion/connexion/", email, DEMO_PASSWORD))
    return logins


def holders_count() -> int:
    return Holder.objects.count()
