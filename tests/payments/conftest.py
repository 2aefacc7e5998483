"""Payments tests reuse the enrolment fixtures (provider, staff, agent, session, buyer)."""

from tests.enrolment.conftest import (  # noqa: F401 (pytest fixtures)
    agent,
    buyer,
    clock_monday,
    provider,
    session,
    staff,
)
