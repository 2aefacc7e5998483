from tests.enrolment.conftest import buyer, clock_monday, provider, session  # noqa: F401
