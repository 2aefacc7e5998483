"""Reviews: reading the average ratings of N offers for the search index build, in bulk versus one by one
(everything rolled back at the end).

python -m bench.reviews --n 20000          (small, the default)
python -m bench.reviews --n 500000         (the catalogue's size)
"""

from __future__ import annotations

import argparse
import time

from bench._django import setup


class _Rollback(Exception):
    pass


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.reviews", description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="rated offers (default 20 000)")
    parser.add_argument("--single", type=int, default=2_000, help="offers read one by one (default 2 000)")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection, transaction

    from opencpf.catalogue.models import Certification, Offer, Provider, ProviderStatus, Training
    from opencpf.reviews.models import OfferRatingSummary
    from opencpf.search.documents import offer_rating, offer_ratings

    n = args.n
    try:
        with transaction.atomic():
            provider = Provider.objects.create(
                name="Bench OF", siret="99999999999998", status=ProviderStatus.REFERENCED, email="bench@example.org"
            )
            cert = Certification.objects.create(code="RSBENCHR", kind="RS", title="Bench")
            training = Training.objects.create(provider=provider, certification=cert, reference="BR", title="Bench")
            started = time.perf_counter()
            offers = Offer.objects.bulk_create(
                (
                    Offer(
                        training=training,
                        reference=f"BR{i}",
                        hours_total=35,
                        price_incl_tax_cents=150_000,
                        price_excl_tax_cents=125_000,
                        is_published=True,
                    )
                    for i in range(n)
                ),
                batch_size=5_000,
            )
            OfferRatingSummary.objects.bulk_create(
                (
                    OfferRatingSummary(
                        offer=o,
                        count=1 + i % 40,
                        sum_accompagnement=(1 + i % 40) * 4,
                        sum_moyens=(1 + i % 40) * 3,
                        sum_encadrants=(1 + i % 40) * 5,
                        sum_accueil=(1 + i % 40) * 4,
                        sum_contenu=(1 + i % 40) * 4,
                    )
                    for i, o in enumerate(offers)
                ),
                batch_size=5_000,
            )
            print(f"{connection.vendor}: {n} rated offers created in {time.perf_counter() - started:.1f} s")
            ids = [o.pk for o in offers]

            started = time.perf_counter()
            every = offer_ratings()
            print(f"bulk, every rated offer : {len(every)} averages in {time.perf_counter() - started:.3f} s")
            started = time.perf_counter()
            wanted = offer_ratings(ids)
            print(f"bulk, {len(ids)} ids in chunks: {len(wanted)} averages in {time.perf_counter() - started:.3f} s")
            sample = ids[: min(args.single, n)]
            started = time.perf_counter()
            for oid in sample:
                offer_rating(oid)
            per = (time.perf_counter() - started) / max(len(sample), 1)
            print(f"one by one: {per * 1e3:.3f} ms per offer ({len(sample)} read), i.e. {per * n:.1f} s for {n} offers")
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
