"""Money jobs killed at random points (PostgreSQL): after a rerun the database holds exactly what an
uninterrupted run leaves, nothing twice, nothing lost; the ledger verifies (and reconciles, where the command
exists). See tests/hardening/faults.py; a job is one line of `faults.JOBS`."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands

from tests.conftest import _reseed_reference_data
from tests.hardening.faults import JOBS, Job, fingerprint, killed, run_command, run_in_process, statements

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
KILLS = int(os.environ.get("OPENCPF_FAULT_KILLS", "5"))


def _fresh_database() -> None:
    call_command("flush", "--noinput", verbosity=0)
    _reseed_reference_data()


def _books_are_clean(job: Job) -> None:
    run_in_process(job, "verify_ledger")
    if "reconcile" in get_commands():
        run_in_process(job, "reconcile")


def _diff(expected: dict, actual: dict) -> str:
    lines = []
    for key in expected:
        missing = [x for x in expected[key] if x not in actual[key]]
        extra = [x for x in actual[key] if x not in expected[key]]
        if missing or extra:
            lines.append(f"{key}: lost {missing[:5]}, added {extra[:5]}")
    return "\n".join(lines)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_killed_at_random_points_then_rerun_is_exact(job: Job, tmp_path: Path) -> None:
    if job.args[0] not in get_commands():
        pytest.skip(f"the {job.args[0]} command does not exist yet")
    job.prepare(tmp_path)
    total = statements(run_command(job))
    reference = fingerprint()
    assert job.did_its_work(reference), f"{job.name} had nothing to do: the test would prove nothing"
    _books_are_clean(job)

    points = sorted(random.Random(job.name).sample(range(1, total + 1), min(KILLS, total)))
    for point in points:
        _fresh_database()
        job.prepare(tmp_path)
        assert killed(run_command(job, kill_at=point)), f"{job.name} should have died before statement {point}"
        run_in_process(job)  # the rerun, to the end
        after = fingerprint()
        assert after == reference, f"{job.name} killed before statement {point} of {total}, then rerun: " + _diff(
            reference, after
        )
        _books_are_clean(job)
