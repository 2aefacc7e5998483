import datetime as dt
import logging

import pytest

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.logging import MASK, redact
from opencpf.core.models import AuditEvent, Parameter
from opencpf.core.params import MissingParameter, param, parameter_set, params_on

pytestmark = pytest.mark.django_db


def test_clock_freeze_and_move():
    clock.freeze(dt.datetime(2026, 1, 5, 9, 0))
    assert clock.today() == dt.date(2026, 1, 5)
    clock.move(dt.timedelta(days=3))
    assert clock.today() == dt.date(2026, 1, 8)
    clock.unfreeze()
    assert clock.now().year >= 2026


def test_clock_from_environment(monkeypatch):
    monkeypatch.setenv("OPENCPF_FROZEN_NOW", "2025-06-30T12:00:00")
    assert clock.today() == dt.date(2025, 6, 30)


def test_copayment_version_in_force():
    assert param("copayment_cents", on=dt.date(2024, 5, 2)) == 10_000
    assert param("copayment_cents", on=dt.date(2024, 12, 31)) == 10_000
    assert param("copayment_cents", on=dt.date(2025, 1, 1)) == 10_223
    with pytest.raises(MissingParameter):
        param("copayment_cents", on=dt.date(2024, 5, 1))


def test_seeded_deadlines_and_amounts():
    values = params_on(
        [
            "yearly_credit_cents",
            "yearly_cap_cents",
            "yearly_credit_low_qualification_cents",
            "yearly_cap_low_qualification_cents",
            "provider_answer_business_days",
            "holder_acceptance_business_days",
            "min_business_days_before_start",
            "cooling_off_business_days",
            "entry_declaration_business_days",
            "service_done_validation_business_days",
            "advance_rate_bp",
        ],
        on=dt.date(2026, 1, 1),
    )
    assert values == {
        "yearly_credit_cents": 50_000,
        "yearly_cap_cents": 500_000,
        "yearly_credit_low_qualification_cents": 80_000,
        "yearly_cap_low_qualification_cents": 800_000,
        "provider_answer_business_days": 2,
        "holder_acceptance_business_days": 4,
        "min_business_days_before_start": 11,
        "cooling_off_business_days": 11,
        "entry_declaration_business_days": 3,
        "service_done_validation_business_days": 5,
        "advance_rate_bp": 3_000,
    }


def test_new_version_applies_from_its_date_only():
    parameter_set(key="copayment_cents", effective_from=dt.date(2026, 1, 1), value=10_400, unit="cents")
    assert param("copayment_cents", on=dt.date(2025, 12, 31)) == 10_223
    assert param("copayment_cents", on=dt.date(2026, 1, 1)) == 10_400
    assert Parameter.objects.filter(key="copayment_cents").count() == 3


def test_audit_is_append_only(holder):
    event = audit_record(action="holder.read", actor=holder.user, obj=holder, ip="192.0.2.1", reason="appel")
    assert AuditEvent.objects.get().object_id == str(holder.pk)
    event.reason = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.get().reason == "appel"


@pytest.mark.parametrize(
    "text",
    ["1 85 05 78 006 084 91", "185057800608491", "2 53 07 2B 073 004 70", "1850578006084", "1.85.05.78.006.084.91"],
)
def test_nir_shapes_are_redacted(text):
    assert redact(f"holder {text} logged in") == f"holder {MASK} logged in"


def test_redaction_keeps_other_numbers():
    assert redact("order 12345 siret 73282932000074 amount 150000") == "order 12345 siret 73282932000074 amount 150000"


def test_log_records_never_carry_a_nir(caplog):
    from opencpf.core.logging import RedactNirFilter

    logger = logging.getLogger("opencpf.test")
    handler_filter = RedactNirFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("lookup of %s failed", "1 85 05 78 006 084 91")
        try:
            raise ValueError("bad NIR 185057800608491")
        except ValueError:
            logger.exception("import error")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "185057800608491" not in caplog.text
    assert "1 85 05 78 006 084 91" not in caplog.text
    assert caplog.text.count(MASK) >= 2
