"""Identity hot paths: NIR validation + keyed hash, holder look-up by NIR hash, API token authentication,
and a full NIR + password check with the configured hasher (Argon2 outside tests).

python -m bench identity            (small: 2,000 holders)
python -m bench.identity --holders 200000 --lookups 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time


def _nir(rng: random.Random) -> tuple[str, dt.date, str]:
    from stdnum.fr import nir as stdnum_nir

    sex = rng.choice("12")
    year = rng.randint(1950, 2005)
    month = rng.randint(1, 12)
    body = f"{sex}{year % 100:02d}{month:02d}{rng.randint(1, 95):02d}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    return body + stdnum_nir.calc_check_digits(body), dt.date(year, month, 1), "M" if sex == "1" else "F"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.identity")
    parser.add_argument("--holders", type=int, default=2000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--logins", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated holders (default: delete them)")
    args = parser.parse_args(argv)

    from bench._django import setup

    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a fresh embedded database works too
    from django.conf import settings
    from django.db import connection, transaction

    from opencpf.identity import nir as nir_lib
    from opencpf.identity.backends import NirBackend
    from opencpf.identity.models import Holder, User, UserKind
    from opencpf.identity.tokens import _issue, api_token_authenticate

    rng = random.Random(42)
    print(f"database: {connection.vendor}")
    samples = [_nir(rng) for _ in range(args.lookups)]
    started = time.perf_counter()
    for value, _, _ in samples:
        nir_lib.nir_hash(nir_lib.validate(value))
    elapsed = time.perf_counter() - started
    print(f"NIR validate + HMAC: {len(samples) / elapsed:,.0f} /s")

    prefix = f"bench{int(time.time())}"
    rows_needed = args.holders
    started = time.perf_counter()
    users, holders, nirs = [], [], []
    for i in range(rows_needed):
        value, birth, sex = _nir(rng)
        stored = nir_lib.protect(value)
        if stored.hash in {h.nir_hash for h in holders[-50:]}:
            continue
        nirs.append(value)
        users.append(User(username=f"{prefix}{i}", kind=UserKind.HOLDER, password="!"))
        holders.append(
            Holder(
                nir_hash=stored.hash,
                nir_encrypted=stored.encrypted,
                nir_masked=stored.masked,
                birth_name="BENCH",
                first_names="Bench",
                birth_date=birth,
                sex=sex,
            )
        )
    with transaction.atomic():
        created = User.objects.bulk_create(users, batch_size=2000)
        for user, holder in zip(created, holders, strict=True):
            holder.user = user
        Holder.objects.bulk_create(holders, batch_size=2000, ignore_conflicts=True)
    print(
        f"holders in table: {Holder.objects.count():,} (created {len(holders):,} in {time.perf_counter() - started:.1f} s)"
    )

    probe = nirs[: args.lookups] or [s[0] for s in samples]
    started = time.perf_counter()
    for value in probe:
        Holder.objects.filter(nir_hash=nir_lib.nir_hash(value)).values_list("pk", flat=True).first()
    elapsed = time.perf_counter() - started
    print(f"holder look-up by NIR hash: {len(probe) / elapsed:,.0f} /s ({elapsed / len(probe) * 1000:.2f} ms each)")

    login_nir = nirs[0] if nirs else samples[0][0]
    login_user = User.objects.get(holder__nir_hash=nir_lib.nir_hash(login_nir))
    login_user.set_password("Bench-password-2026")
    login_user.save(update_fields=["password"])
    holder = login_user.holder
    _, access, _ = _issue(holder.user, "bench")  # without the audit record, so the bench rows can be deleted
    started = time.perf_counter()
    for _ in range(args.lookups):
        api_token_authenticate(access)
    elapsed = time.perf_counter() - started
    print(f"API access-token authentication: {args.lookups / elapsed:,.0f} /s")

    started = time.perf_counter()
    for _ in range(args.logins):
        assert NirBackend().authenticate(None, username=login_nir, password="Bench-password-2026") is not None
    elapsed = time.perf_counter() - started
    print(
        f"NIR + password check (first hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}): "
        f"{elapsed / args.logins * 1000:.0f} ms each"
    )
    if not args.keep:
        with transaction.atomic():
            Holder.objects.filter(user__username__startswith=prefix).delete()
            User.objects.filter(username__startswith=prefix).delete()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
