"""Demo and benchmark catalogue generator (generate_demo): fast bulk writes, COPY on PostgreSQL.

Rows get explicit ids (sequences are reset at the end), so nothing else may write these tables meanwhile.
Offers are published directly (the generated providers are referenced, Qualiopi-certified and permitted);
their OfferChange rows say source="demo". The search index is notified once per offer only when
`notify=True` (small sizes): after a big run, rebuild the index in bulk instead.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from faker import Faker
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from opencpf.catalogue import demo_data
from opencpf.catalogue.models import (
    Certification,
    CertificationKind,
    CertifierPermission,
    Commune,
    Formacode,
    Modality,
    Offer,
    OfferChange,
    Provider,
    ProviderStatus,
    QualiopiCertificate,
    ReferencingDecision,
    Session,
    Training,
)
from opencpf.catalogue.signals import offers_changed
from opencpf.core import clock

Progress = Callable[[str, int | None], Callable[[int], None]]


@dataclass
class GenerateReport:
    providers: int = 0
    trainings: int = 0
    offers: int = 0
    sessions: int = 0
    holders: int = 0
    used_referentials: bool = False
    timings: dict[str, float] = field(default_factory=dict)


class _Sink:
    """Buffered inserts: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], batch: int = 20_000) -> None:
        self.table = model._meta.db_table
        self.columns = list(columns)
        known = {f.column for f in model._meta.concrete_fields}
        missing = [f.column for f in model._meta.concrete_fields if f.column not in self.columns]
        unknown = [c for c in self.columns if c not in known]
        if unknown or missing:
            raise ValueError(f"{self.table}: unknown {unknown}, missing {missing}")
        self.rows: list[tuple[Any, ...]] = []
        self.batch = batch
        self.pg = connection.vendor == "postgresql"
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.pg:
                raw = cursor.cursor  # psycopg 3 cursor
                with raw.copy(f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})",  # noqa: S608 (model names)  # nosec B608
                    self.rows,
                )
        self.count += len(self.rows)
        self.rows = []


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)


def _siret(i: int) -> str:
    siren = f"9{i % 10_000_000:07d}"
    siren += luhn.calc_check_digit(siren)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


def _nda(rng: random.Random, department: str) -> str:
    return f"{int(department[:2]) if department[:2].isdigit() else 20:02d}{rng.randrange(10**8, 10**9)}"[:11].ljust(
        11, "0"
    )


@dataclass
class _Topic:
    key: str
    titles: list[str]
    cert_ids: list[int]
    formacodes: list[str]
    nsf: list[str]
    rome: list[str]
    hourly: tuple[int, int]
    hours: tuple[int, int]


def _topics(rng: random.Random, day: dt.date) -> tuple[list[_Topic], bool]:
    """Topics with their certifications: real ones when the referential is loaded (and still valid today),
    the built-in set otherwise or for topics the referential lacks."""
    active = Certification.objects.filter(is_active=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    real = active.exclude(kind=CertificationKind.OTHER).exists()
    formacode_loaded = Formacode.objects.exists()
    topics = []
    for key, keywords, builtin, titles, formacodes, nsf, rome, hourly, hours in demo_data.TOPICS:
        ids: list[int] = []
        if real:
            for kw in keywords:
                ids += list(active.filter(title__icontains=kw).values_list("pk", flat=True)[:20])
        if not ids:
            code, kind, title, level = builtin
            cert, _ = Certification.objects.get_or_create(
                code=code, defaults={"kind": kind, "title": title, "level": level, "is_active": True}
            )
            ids = [cert.pk]
        if formacode_loaded and keywords:
            found = Formacode.objects.filter(label__iexact=keywords[0]).values_list("code", flat=True).first()
            formacodes = [found] if found else formacodes
        topics.append(_Topic(key, titles, ids, formacodes, nsf, rome, hourly, hours))
    if real:  # plus trainings named after real certifications
        sample = list(
            active.exclude(kind=CertificationKind.OTHER).values_list("pk", "title", "rome_codes", "nsf_codes")[:3000]
        )
        rng.shuffle(sample)
        for pk, title, romes, nsfs in sample[:300]:
            topics.append(
                _Topic(
                    "rncp",
                    [f"Préparation : {title[:250]}"],
                    [pk],
                    [],
                    list(nsfs)[:3],
                    list(romes)[:5],
                    (1_000, 4_000),
                    (70, 700),
                )
            )
    return topics, real


def _places(rng: random.Random) -> tuple[list[tuple[Any, ...]], list[int], bool]:
    """(commune_id, insee, name, postcode, department, lat, lon) with weights; real communes when loaded."""
    if Commune.objects.exists():
        big = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=demo_data.BIG_CITY_INSEE)}
        weights_by_insee = {c[0]: c[6] for c in demo_data.CITIES}
        places, weights = [], []
        for insee, c in big.items():
            places.append((c.pk, insee, c.name, (c.postcodes or [""])[0], c.department_code, c.latitude, c.longitude))
            weights.append(weights_by_insee[insee] * 40)
        others = list(
            Commune.objects.filter(district_of="")
            .exclude(insee_code__in=list(big))
            .values_list("pk", "insee_code", "name", "postcodes", "department_code", "latitude", "longitude")
        )
        for pk, insee, name, pcs, dep, lat, lon in rng.sample(others, min(3000, len(others))):
            places.append((pk, insee, name, (pcs or [""])[0], dep, lat, lon))
            weights.append(1)
        return places, weights, True
    return [(None, *c[:6]) for c in demo_data.CITIES], [c[6] for c in demo_data.CITIES], False


def generate(
    *,
    providers: int,
    offers: int,
    sessions: int,
    holders: int = 0,
    seed: int = 1,
    progress: Progress | None = None,
    notify: bool | None = None,
    today: dt.date | None = None,
) -> GenerateReport:
    import time

    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    report = GenerateReport()
    day = today or clock.today()
    now = clock.now()
    bar = progress or (lambda _label, _total: lambda _n: None)
    providers = max(1, providers)
    offers = max(0, offers)
    t0 = time.perf_counter()

    with transaction.atomic():
        topics, report.used_referentials = _topics(rng, day)
        places, weights, _ = _places(rng)
        existing_sirets = set(Provider.objects.values_list("siret", flat=True))
        base = Provider.objects.count() * 7 + seed * 100_000

        # Providers, with Qualiopi certificates and referencing decisions.
        pid0 = _next_id(Provider)
        p_sink = _Sink(Provider, [f.column for f in Provider._meta.concrete_fields])
        q_sink = _Sink(
            QualiopiCertificate,
            ["id", "provider_id", "number", "certifying_body", "issued_on", "expires_on", "created_at"],
        )
        d_sink = _Sink(
            ReferencingDecision,
            ["id", "provider_id", "from_status", "to_status", "event", "reason", "decided_by_id", "decided_at"],
        )
        q_id, d_id = _next_id(QualiopiCertificate), _next_id(ReferencingDecision)
        provider_rows: list[tuple[int, str, tuple[Any, ...]]] = []  # (id, status, place)
        advance = bar("Organismes", providers)
        i = 0
        for n in range(providers):
            siret = _siret(base + i)
            while siret in existing_sirets:
                i += 1
                siret = _siret(base + i)
            i += 1
            pid = pid0 + n
            place = rng.choices(places, weights)[0]
            status: str = (
                ProviderStatus.REFERENCED
                if rng.random() < 0.93
                else rng.choice([ProviderStatus.PENDING, ProviderStatus.SUSPENDED, ProviderStatus.REFUSED])
            )
            name = (
                f"{fake.company()} Formation"
                if rng.random() < 0.5
                else f"{rng.choice(['Institut', 'Centre', 'Académie', 'École', 'Atelier'])} {fake.last_name()} {place[2]}"
            )
            applied = now - dt.timedelta(days=rng.randrange(60, 1500))
            row = {
                "id": pid,
                "name": name[:250],
                "siret": siret,
                "nda": _nda(rng, place[4]),
                "status": status,
                "headcount": rng.choice([1, 2, 3, 5, 8, 12, 20, 45, 120]),
                "email": f"contact@of{pid}.demo.opencpf.fr",
                "phone": fake.phone_number()[:20],
                "created_at": applied,
                "referenced_at": applied + dt.timedelta(days=20) if status != ProviderStatus.PENDING else None,
                "address": fake.street_address()[:300],
                "postcode": place[3],
                "city": place[2],
                "applied_at": applied,
                "check_deadline": (applied + dt.timedelta(days=15)).date(),
                "status_changed_at": applied + dt.timedelta(days=20),
                "status_reason": "",
                "directors_declaration": True,
                "directors_declared_at": applied,
            }
            p_sink.add(tuple(row[f.attname] for f in Provider._meta.concrete_fields))
            q_sink.add(
                (
                    q_id,
                    pid,
                    f"QUA-{pid:07d}",
                    rng.choice(demo_data.QUALIOPI_BODIES),
                    (applied - dt.timedelta(days=30)).date(),
                    day + dt.timedelta(days=rng.randrange(60, 1000)),
                    now,
                )
            )
            q_id += 1
            d_sink.add(
                (d_id, pid, "", ProviderStatus.PENDING, "apply", "Demande de référencement déposée", None, applied)
            )
            d_id += 1
            if status != ProviderStatus.PENDING:
                event = {"referenced": "reference", "refused": "refuse", "suspended": "reference"}[status]
                d_sink.add(
                    (
                        d_id,
                        pid,
                        ProviderStatus.PENDING,
                        ProviderStatus.REFERENCED if status == "suspended" else status,
                        event,
                        "Dossier complet et conforme" if event == "reference" else "Pièces manquantes",
                        None,
                        applied + dt.timedelta(days=14),
                    )
                )
                d_id += 1
            provider_rows.append((pid, status, place))
            advance(1)
        for s in (p_sink, q_sink, d_sink):
            s.flush()
        report.providers = providers
        report.timings["providers"] = time.perf_counter() - t0

        # Trainings (about one per two offers), offers, sessions, permissions, change log.
        n_trainings = max(1, min(offers, max(providers, offers // 2))) if offers else 0
        t_sink = _Sink(Training, [f.column for f in Training._meta.concrete_fields])
        o_fields = Offer._meta.concrete_fields
        o_sink = _Sink(Offer, [f.column for f in o_fields])
        s_sink = _Sink(Session, [f.column for f in Session._meta.concrete_fields])
        c_sink = _Sink(OfferChange, [f.column for f in OfferChange._meta.concrete_fields])
        perm_sink = _Sink(CertifierPermission, [f.column for f in CertifierPermission._meta.concrete_fields])
        tid0, oid0, sid0, cid0, permid = (
            _next_id(m) for m in (Training, Offer, Session, OfferChange, CertifierPermission)
        )
        existing_perms = set(CertifierPermission.objects.values_list("provider_id", "certification_id"))
        trainings: list[tuple[int, int, _Topic, str, int, bool, tuple[Any, ...]]] = []
        advance = bar("Formations", n_trainings)
        t_fields = [f.attname for f in Training._meta.concrete_fields]
        for n in range(n_trainings):
            pid, status, home = provider_rows[n % providers] if n < providers else rng.choice(provider_rows)
            topic = rng.choice(topics)
            cert_id = rng.choice(topic.cert_ids)
            title = rng.choice(topic.titles)
            level_in = rng.choice([None, 1, 4, 5])
            has_prereq = rng.random() < 0.3
            row = {
                "id": tid0 + n,
                "provider_id": pid,
                "certification_id": cert_id,
                "reference": f"F{tid0 + n}",
                "title": title[:300],
                "objectives": rng.choice(demo_data.OBJECTIVES),
                "content": rng.choice(demo_data.CONTENTS),
                "expected_results": rng.choice(demo_data.RESULTS),
                "prerequisites": "Niveau de fin de collège ou expérience équivalente." if has_prereq else "",
                "has_prerequisites": has_prereq,
                "formacode_codes": json.dumps(topic.formacodes),
                "nsf_codes": json.dumps(topic.nsf),
                "rome_codes": json.dumps(topic.rome),
                "entry_level": level_in,
                "exit_level": rng.choice([4, 5, 6, 7]),
                "created_at": now,
                "updated_at": now,
                "certifinfo_code": "",
            }
            t_sink.add(tuple(row[a] for a in t_fields))
            if (pid, cert_id) not in existing_perms:
                existing_perms.add((pid, cert_id))
                perm_sink.add(
                    (permid, pid, cert_id, None, f"HAB-{permid}", day - dt.timedelta(days=300), None, None, "")
                )
                permid += 1
            trainings.append((tid0 + n, pid, topic, status, cert_id, has_prereq, home))
            advance(1)
        t_sink.flush()
        perm_sink.flush()
        report.trainings = n_trainings
        report.timings["trainings"] = time.perf_counter() - t0

        o_attn = [f.attname for f in o_fields]
        s_attn = [f.attname for f in Session._meta.concrete_fields]
        c_attn = [f.attname for f in OfferChange._meta.concrete_fields]
        streets = [fake.street_address()[:300] for _ in range(2000)]
        advance = bar("Offres et sessions", offers)
        sessions_left = sessions
        sid = sid0
        horizon = 300
        for n in range(offers):
            oid = oid0 + n
            tid, pid, topic, status, _cert, _pre, home = (
                trainings[n % n_trainings] if n < n_trainings else rng.choice(trainings)
            )
            modality = rng.choices([Modality.IN_PERSON, Modality.DISTANCE, Modality.MIXED], [6, 3, 1])[0]
            place = home if rng.random() < 0.6 else rng.choices(places, weights)[0]
            hours = rng.randint(*topic.hours)
            price = max(100, hours * rng.randint(*topic.hourly) // 100 * 100)
            excl = price if rng.random() < 0.6 else price * 10 // 12
            centre = hours if modality != Modality.MIXED else hours * 2 // 3
            published = status == ProviderStatus.REFERENCED
            in_person = modality != Modality.DISTANCE
            row = {
                "id": oid,
                "training_id": tid,
                "reference": f"A{oid}",
                "modality": modality,
                "address": rng.choice(streets) if in_person else "",
                "postcode": place[3] if in_person else "",
                "city": place[2] if in_person else "",
                "insee_code": place[1] if in_person else "",
                "latitude": place[5] if in_person else None,
                "longitude": place[6] if in_person else None,
                "hours_total": hours,
                "hours_centre": centre,
                "hours_company": 0,
                "price_incl_tax_cents": price,
                "price_excl_tax_cents": excl,
                "disability_access": rng.random() < 0.9,
                "disability_details": "Locaux accessibles, référent handicap joignable." if rng.random() < 0.5 else "",
                "contact_email": f"inscriptions@of{pid}.demo.opencpf.fr",
                "contact_phone": "",
                "is_published": published,
                "created_at": now,
                "updated_at": now,
                "commune_id": place[0] if in_person else None,
                "department_code": place[4] if in_person else "",
                "published_at": now if published else None,
                "unpublished_at": None,
                "unpublished_reason": "",
            }
            o_sink.add(tuple(row[a] for a in o_attn))
            crow = {
                "id": cid0 + n,
                "offer_id": oid,
                "at": now,
                "actor_id": None,
                "actor_label": "generate_demo",
                "source": "demo",
                "action": "created",
                "changes": "{}",
                "reason": "",
            }
            c_sink.add(tuple(crow[a] for a in c_attn))
            remaining_offers = offers - n
            k = sessions_left // remaining_offers
            if (
                sessions_left % remaining_offers
                and rng.random() < (sessions_left % remaining_offers) / remaining_offers
            ):
                k += 1
            k = min(k, sessions_left)
            for _ in range(k):
                start = day + dt.timedelta(days=rng.randrange(12, horizon))
                length = max(1, hours // 7) if modality != Modality.DISTANCE else rng.randrange(14, 120)
                srow = {
                    "id": sid,
                    "offer_id": oid,
                    "reference": f"S{sid}",
                    "start_date": start,
                    "end_date": start + dt.timedelta(days=length + length // 5),
                    "is_recruiting": rng.random() < 0.92,
                    "capacity": rng.choice([None, 8, 10, 12, 15, 20]),
                    "created_at": now,
                    "updated_at": now,
                }
                s_sink.add(tuple(srow[a] for a in s_attn))
                sid += 1

            sessions_left -= k
            advance(1)
        for s in (o_sink, s_sink, c_sink):
            s.flush()
        report.offers, report.sessions = offers, s_sink.count
        report.timings["offers"] = time.perf_counter() - t0

        if holders:
            report.holders = _holders(holders, rng=rng, fake=fake, progress=bar)
            report.timings["holders"] = time.perf_counter() - t0
        _reset_sequences(
            [
                Provider,
                QualiopiCertificate,
                ReferencingDecision,
                Training,
                CertifierPermission,
                Offer,
                Session,
                OfferChange,
            ]
        )
        if notify if notify is not None else offers <= 5_000:
            offers_changed(range(oid0, oid0 + offers))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Provider, Training, Offer, Session, OfferChange, CertifierPermission):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    report.timings["total"] = time.perf_counter() - t0
    return report


def _holders(count: int, *, rng: random.Random, fake: Faker, progress: Progress) -> int:
    """Holders as identity.services.holder_create makes them (valid NIR with its real key, stored protected), in bulk."""
    from opencpf.identity import nir as nir_lib
    from opencpf.identity.models import Holder, User, UserKind

    advance = progress("Titulaires", count)
    known = set(Holder.objects.values_list("nir_hash", flat=True))
    users: list[User] = []
    holders: list[Holder] = []
    unusable = "!demo-unusable-password"  # like set_unusable_password(): no password can match
    made = 0
    while made < count:
        sex = rng.choice("MF")
        birth = dt.date(rng.randrange(1960, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
        place = rng.choice(demo_data.CITIES)
        dep = place[3][:2]
        body = f"{'1' if sex == 'M' else '2'}{birth.year % 100:02d}{birth.month:02d}{dep}{rng.randrange(1, 990):03d}{rng.randrange(1, 1000):03d}"
        number = body + stdnum_nir.calc_check_digits(body)
        stored = nir_lib.protect(number)
        if stored.hash in known:
            continue
        known.add(stored.hash)
        first = fake.first_name_male() if sex == "M" else fake.first_name_female()
        last = fake.last_name()
        user = User(
            username=f"h{stored.hash[:20]}",
            email=f"titulaire{len(known)}.{stored.hash[:6]}@demo.opencpf.fr",
            kind=UserKind.HOLDER,
            first_name=first[:150],
            last_name=last[:150],
            password=unusable,
        )
        users.append(user)
        holders.append(
            Holder(
                user=user,
                nir_hash=stored.hash,
                nir_encrypted=stored.encrypted,
                nir_masked=stored.masked,
                birth_name=last,
                first_names=first,
                birth_date=birth,
                sex=sex,
                postcode=place[2],
                insee_code=place[0],
                is_job_seeker=rng.random() < 0.1,
            )
        )
        made += 1
        if len(users) >= 5000 or made == count:
            User.objects.bulk_create(users, batch_size=5000)
            for h in holders:
                h.user_id = h.user.pk
            Holder.objects.bulk_create(holders, batch_size=5000)
            advance(len(users))
            users, holders = [], []
    return made


def load_demo_catalogue(provider: Provider) -> None:
    """`make run`'s catalogue: a small generated one (sessions in the coming months, Lyon and other cities,
    English courses among them) plus two English offers of the demo provider, made through the services."""
    from opencpf.catalogue import services as catalogue

    generate(providers=30, offers=300, sessions=900, seed=2026)
    code, kind, title, _level = next(t[2] for t in demo_data.TOPICS if t[0] == "anglais")  # built-in demo certification
    english = Certification.objects.get_or_create(
        code=code, defaults={"kind": kind, "title": title, "is_active": True}
    )[0]
    catalogue.qualiopi_record(
        provider=provider, number="QUA-DEMO-0001", expires_on=clock.today() + dt.timedelta(days=700)
    )
    catalogue.permission_grant(
        provider=provider, certification=english, certifier_name="Certificateur de démonstration"
    )
    for ref, modality, hours, price in (("ANG-LYON", "in_person", 40, 180_000), ("ANG-DIST", "distance", 30, 120_000)):
        place = {
            "address": "12 rue de la République",
            "postcode": "69002",
            "city": "Lyon",
            "insee_code": "69382",
            "latitude": 45.7640,  # located without the communes referential, which the demo may lack
            "longitude": 4.8357,
        }
        offer = catalogue.offer_create(
            provider=provider,
            actor=None,
            certification=english,
            training_reference="ANGLAIS-PRO",
            offer_reference=ref,
            training={
                "title": "Anglais professionnel – préparation au TOEIC",
                "objectives": "Communiquer en anglais au travail.",
            },
            offer={
                "modality": modality,
                "hours_total": hours,
                "hours_centre": hours,
                "price_incl_tax_cents": price,
                "price_excl_tax_cents": price,
                **(place if modality == "in_person" else {}),
            },
            publish=True,
        )
        start = clock.today() + dt.timedelta(days=30)
        catalogue.session_create(
            offer=offer, actor=None, reference="S1", start_date=start, end_date=start + dt.timedelta(days=20)
        )


__all__ = ["GenerateReport", "generate", "load_demo_catalogue"]
