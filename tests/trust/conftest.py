import pytest
from django.contrib.auth.models import Group

from opencpf.identity.models import UserKind
from opencpf.identity.services import staff_user_create
from tests.enrolment.conftest import buyer, clock_monday, provider, session, staff  # noqa: F401


def agent(role, email):  # type: ignore[no-untyped-def]
    user = staff_user_create(email=email, password=None, kind=UserKind.AGENT)
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def controller(db):  # type: ignore[no-untyped-def]
    return agent("controller", "controle@operateur.fr")
