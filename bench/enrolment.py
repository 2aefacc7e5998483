"""Enrolment: the dossier life cycle and the deadline job on N dossiers (everything rolled back at the end).

python -m bench.enrolment --n 200          (small, the default)
python -m bench.enrolment --n 5000         (fuller)
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from bench._django import setup


class _Rollback(Exception):
    pass


def _nir(i: int) -> str:
    body = f"1850578{i:06d}"
    return f"{body}{97 - int(body) % 97:02d}"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.enrolment", description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="dossiers (default 200)")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection, transaction

    from opencpf.catalogue.models import Certification, Offer, Provider, ProviderStatus, Session, Training
    from opencpf.core import clock
    from opencpf.enrolment import services
    from opencpf.identity.models import ProviderMembership, UserKind
    from opencpf.identity.services import holder_create, staff_user_create
    from opencpf.rights.enums import AccountKind, TransactionKind
    from opencpf.rights.ledger import holder_account, platform_account, post

    n = args.n
    try:
        with transaction.atomic():
            clock.freeze(dt.datetime(2026, 3, 2, 10, 0))
            provider = Provider.objects.create(
                name="Bench OF", siret="99999999999999", status=ProviderStatus.REFERENCED, email="bench@example.org"
            )
            staff = staff_user_create(email="bench-of@example.org", password=None, kind=UserKind.PROVIDER)
            ProviderMembership.objects.create(user=staff, provider=provider)
            cert = Certification.objects.create(code="RSBENCH", kind="RS", title="Bench")
            training = Training.objects.create(provider=provider, certification=cert, reference="B", title="Bench")
            offer = Offer.objects.create(
                training=training,
                reference="B",
                hours_total=35,
                price_incl_tax_cents=150_000,
                price_excl_tax_cents=125_000,
                is_published=True,
            )
            session = Session.objects.create(
                offer=offer, reference="B", start_date=dt.date(2026, 4, 15), end_date=dt.date(2026, 4, 20)
            )
            holders = []
            for i in range(n):
                h = holder_create(
                    nir=_nir(900_000 + i),
                    birth_name="Bench",
                    first_names="Test",
                    birth_date=dt.date(1985, 5, 14),
                    sex="M",
                    email=f"b{i}@example.org",
                    password=None,
                )
                h.user.email_confirmed_at = clock.now()
                h.user.save(update_fields=["email_confirmed_at"])
                post(
                    key=f"bench-credit-{i}",
                    kind=TransactionKind.CREDIT_YEAR,
                    lines=[
                        (platform_account(AccountKind.OPERATOR_FUNDING, "bench"), -100_000),
                        (holder_account(AccountKind.RIGHTS, h.nir_hash), 100_000),
                    ],
                )
                holders.append(h)

            t0 = time.perf_counter()
            dossiers = [services.dossier_request(actor=h.user, session_id=session.pk) for h in holders]
            request_s = time.perf_counter() - t0
            half = n // 2
            t0 = time.perf_counter()
            for d in dossiers[:half]:
                services.dossier_propose(dossier_id=d.pk, actor=staff)
            propose_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            for h, d in zip(holders[: half // 2], dossiers[: half // 2], strict=True):
                services.dossier_accept(dossier_id=d.pk, actor=h.user, strong_session=True)
            accept_s = time.perf_counter() - t0
            # Thursday 5 March: every unanswered request (the second half) has lapsed
            t0 = time.perf_counter()
            first = services.expire_deadlines(on=dt.date(2026, 3, 5))
            expire_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            second = services.expire_deadlines(on=dt.date(2026, 3, 5))
            again_s = time.perf_counter() - t0
            print(f"database: {connection.vendor}; {n} dossiers (one transaction, rolled back)")
            print(f"request: {n / request_s:,.0f}/s ({request_s * 1e3 / n:.1f} ms each)")
            print(f"propose: {half / propose_s:,.0f}/s ({propose_s * 1e3 / half:.1f} ms each)")
            accepted = max(half // 2, 1)
            print(
                f"accept (quote, reserve, card): {accepted / accept_s:,.0f}/s ({accept_s * 1e3 / accepted:.1f} ms each)"
            )
            print(f"expire_deadlines, first pass: {first} in {expire_s:.2f} s")
            print(f"expire_deadlines, second pass (nothing to do): {second} in {again_s * 1e3:.0f} ms")
            raise _Rollback
    except _Rollback:
        pass
    finally:
        clock.unfreeze()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
