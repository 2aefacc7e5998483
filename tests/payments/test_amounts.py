import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencpf.payments.amounts import ExitReason, UnusedPolicy, amount_due, completion_bp

PRICE = 200_000  # 2 000,00 €


@pytest.mark.parametrize(
    ("reason", "attendance_bp", "due", "policy"),
    [
        (ExitReason.COMPLETED, 10_000, 200_000, UnusedPolicy.REFUND),
        (ExitReason.ABANDONMENT, 8_000, 200_000, UnusedPolicy.REFUND),  # 80 % attended: paid in full
        (ExitReason.ABANDONMENT, 7_999, 159_980, UnusedPolicy.FORFEIT),  # pro rata
        (ExitReason.ABANDONMENT, 2_500, 50_000, UnusedPolicy.FORFEIT),  # 25 % exactly: pro rata = 25 %
        (ExitReason.ABANDONMENT, 2_499, 50_000, UnusedPolicy.FORFEIT),  # under 25 %: 25 % of the price
        (ExitReason.ABANDONMENT, 0, 50_000, UnusedPolicy.FORFEIT),  # no-show after the start
        (ExitReason.FORCE_MAJEURE, 1_000, 20_000, UnusedPolicy.REFUND),  # not penalised: pro rata
        (ExitReason.FORCE_MAJEURE, 9_000, 180_000, UnusedPolicy.REFUND),  # no 80 % rule: pro rata
        (ExitReason.PROVIDER_INTERRUPTION, 8_500, 170_000, UnusedPolicy.REFUND),  # the provider stopped: pro rata
        (ExitReason.PROVIDER_INTERRUPTION, 5_000, 100_000, UnusedPolicy.REFUND),
        (ExitReason.LATE_CANCELLATION, 0, 10_000, UnusedPolicy.FORFEIT),  # 5 % compensation
    ],
)
def test_amount_due_by_rule(reason, attendance_bp, due, policy):
    result = amount_due(price_cents=PRICE, reason=reason, attendance_bp=attendance_bp)
    assert result.due_cents == due
    assert result.unused_cents == PRICE - due
    assert result.unused_policy == policy
    assert result.payable_cents == due


def test_advance_is_deducted_and_can_leave_a_debt():
    full = amount_due(price_cents=PRICE, reason=ExitReason.COMPLETED, advance_paid_cents=60_000)
    assert full.payable_cents == 140_000
    early = amount_due(
        price_cents=PRICE, reason=ExitReason.FORCE_MAJEURE, attendance_bp=1_000, advance_paid_cents=60_000
    )
    assert early.due_cents == 20_000 and early.payable_cents == -40_000  # recovered on later payments


def test_completion_from_hours():
    assert completion_bp(hours_attended=30, hours_total=120) == 2_500
    assert completion_bp(hours_attended=200, hours_total=120) == 10_000
    assert completion_bp(hours_attended=None, hours_total=120, completion_rate_bp=4_200) == 4_200
    with pytest.raises(ValueError):
        completion_bp(hours_attended=None, hours_total=120)


def test_invalid_input_is_refused():
    with pytest.raises(ValueError):
        amount_due(price_cents=-1, reason=ExitReason.COMPLETED)
    with pytest.raises(ValueError):
        amount_due(price_cents=PRICE, reason=ExitReason.ABANDONMENT, attendance_bp=10_001)


@given(
    price=st.integers(min_value=0, max_value=10_000_000),
    reason=st.sampled_from(list(ExitReason)),
    attendance=st.integers(min_value=0, max_value=10_000),
)
def test_never_more_than_the_price_and_monotonic_in_attendance(price, reason, attendance):
    result = amount_due(price_cents=price, reason=reason, attendance_bp=attendance)
    assert 0 <= result.due_cents <= price
    assert result.due_cents + result.unused_cents == price
    if reason != ExitReason.LATE_CANCELLATION and attendance < 10_000:
        more = amount_due(price_cents=price, reason=reason, attendance_bp=attendance + 1)
        assert more.due_cents >= result.due_cents
