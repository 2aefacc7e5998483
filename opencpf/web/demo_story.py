"""The demo's story: four months of life told through the real services, so that every portal has something to
show and the books balance (`verify_ledger`, `reconcile`).

The clock is frozen at past moments, in order, then the caller's clock (real or frozen) is restored. Dates are relative to today:
- 120 days ago: declarations imported, yearly rights credited, two top-ups (one earmarked to English);
  FormaPro Lyon's bank account requested and approved; past and current sessions created; four dossiers
  requested, proposed and accepted.
- about 90 days ago: two trainings done and rated (one comment published, one held for moderation), then
  paid by a confirmed payment run (remittance advice on the provider portal).
- the last two weeks: one training started (in training), one finished and its exit declared (awaiting rating).
- today: a request the provider must answer, a proposal the holder may accept, tickets and an open alert.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from opencpf.catalogue import services as catalogue
from opencpf.catalogue.models import Offer, Provider, Session
from opencpf.core import calendar, clock
from opencpf.core.params import MissingParameter
from opencpf.enrolment import services as enrolment
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import Holder
from opencpf.payments import bank_details, runs
from opencpf.reviews.services import rating_submit
from opencpf.rights.crediting import credit_year
from opencpf.rights.declarations import declarations_import
from opencpf.rights.enums import FunderKind
from opencpf.rights.models import Funder
from opencpf.rights.services import funder_create, topup_add
from opencpf.support.services import ticket_open
from opencpf.trust.hooks import screen_offer_now

OPCO_REFERENCE = "DEMO-OPCO-ATLAS"
EMPLOYER_SIRET = "73282932000074"
CREDITED_YEARS = 4  # the last four full years (the SMIC parameter starts in 2022)
ENGLISH = "RS9001"
PUBLISHED_COMMENT = "Formatrice très claire, beaucoup de mises en situation. Je recommande."
HELD_COMMENT = "Contenu correct mais salle trop petite, rappelez-moi au 06 12 34 56 78."
SCORES_GOOD = {"accompagnement": 5, "moyens": 4, "encadrants": 5, "accueil": 4, "contenu": 5}
SCORES_MIXED = {"accompagnement": 4, "moyens": 2, "encadrants": 4, "accueil": 3, "contenu": 4}


def already_told() -> bool:
    return Funder.objects.filter(reference=OPCO_REFERENCE).exists()


def _business(day: dt.date, step: int = 1) -> dt.date:
    """`day` if it is a business day, else the next (step=1) or previous (step=-1) one."""
    while not calendar.is_business_day(day):
        day += dt.timedelta(days=step)
    return day


def _at(day: dt.date, hour: int = 10) -> None:
    clock.freeze(dt.datetime.combine(day, dt.time(hour)))


def _rights(nirs: list[str], year: int) -> None:
    """Employers' declarations for the last full years, imported as a file, then each year credited."""
    rows = [
        {
            "declaration_id": f"DEMO-{y}-{i}",
            "employer_siret": EMPLOYER_SIRET,
            "nir": nir,
            "year": y,
            "paid_hours": 1607,
            "reference_hours": 1607,
            "gross_pay": 32_000,
            "low_qualification": True,  # no CAP: 800 € a year, enough for the story and a balance left
        }
        for i, nir in enumerate(nirs)
        for y in range(year - CREDITED_YEARS, year)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "declarations.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        result = declarations_import(path=path, strict=True)
    if result.rejected:
        raise RuntimeError(f"demo declarations rejected: {result.rejected}")
    for y in range(year - CREDITED_YEARS, year):
        try:
            credit_year(year=y)
        except MissingParameter:  # a year before the parameters' history (the SMIC is known from 2022)
            continue


def _session(offer: Offer, reference: str, start: dt.date, days: int) -> Session:
    return catalogue.session_create(
        offer=offer, actor=None, reference=reference, start_date=start, end_date=start + dt.timedelta(days=days)
    )


def _accepted(holder: Holder, staff: Any, session: Session) -> Dossier:
    dossier = enrolment.dossier_request(actor=holder.user, session_id=session.pk)
    enrolment.dossier_propose(dossier_id=dossier.pk, actor=staff, message="Votre place est réservée.")
    return enrolment.dossier_accept(dossier_id=dossier.pk, actor=holder.user, strong_session=True)


def _enter(dossier: Dossier, staff: Any) -> None:
    _at(dossier.start_date, 9)
    enrolment.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)


def _exit(dossier: Dossier, staff: Any) -> None:
    _at(dossier.end_date, 17)
    enrolment.dossier_declare_exit(
        dossier_id=dossier.pk, actor=staff, exit_date=dossier.end_date, completion_rate_bp=10_000
    )


def tell(*, holders: list[Holder], staff: Any, payment_officer: Any, nirs: list[str]) -> None:
    """Run once, inside the caller's transaction. The caller's clock (real or frozen) is restored whatever happens."""
    camille, karim = holders
    provider = Provider.objects.get(memberships__user=staff)
    offers = {o.reference: o for o in Offer.objects.filter(training__provider=provider)}
    lyon, remote = offers["ANG-LYON"], offers["ANG-DIST"]
    today = clock.today()
    start = _business(today - dt.timedelta(days=120))
    done_start = _business(start + dt.timedelta(days=25))
    done_end = _business(done_start + dt.timedelta(days=7))
    paid_on = calendar.add_business_days(done_end, 2)
    exited_end = calendar.add_business_days(today, -2)
    exited_start = _business(exited_end - dt.timedelta(days=9), -1)
    current_start = calendar.add_business_days(today, -5)
    with clock.frozen(start):  # restores the caller's clock on the way out
        _at(start, 9)
        _rights(nirs, start.year)
        opco = funder_create(name="OPCO Atlas (démo)", kind=FunderKind.OPCO, reference=OPCO_REFERENCE)
        employer = funder_create(
            name="Boulangeries Martin (démo)", kind=FunderKind.EMPLOYER, reference=EMPLOYER_SIRET, headcount=12
        )
        topup_add(
            funder=opco,
            nir=nirs[0],
            birth_name=camille.birth_name,
            amount_cents=80_000,
            idempotency_key="demo-english",
            certification_code=ENGLISH,
        )
        topup_add(
            funder=employer,
            nir=nirs[0],
            birth_name=camille.birth_name,
            amount_cents=30_000,
            idempotency_key="demo-plain",
        )
        account = bank_details.bank_details_request_change(
            provider=provider,
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
            account_holder=provider.name,
            requested_by=staff,
            strong_session=True,
        )
        bank_details.bank_details_decide(
            account_id=account.pk, officer=payment_officer, approve=True, reason="RIB et Kbis vérifiés."
        )

        _at(start, 10)
        paid_camille = _accepted(camille, staff, _session(remote, "S-DEMO-1", done_start, (done_end - done_start).days))
        paid_karim = _accepted(karim, staff, _session(lyon, "S-DEMO-1", done_start, (done_end - done_start).days))
        exited = _accepted(camille, staff, _session(lyon, "S-DEMO-2", exited_start, (exited_end - exited_start).days))
        current = _accepted(karim, staff, _session(remote, "S-DEMO-2", current_start, 30))

        for dossier in (paid_camille, paid_karim):
            _enter(dossier, staff)
        for dossier in (paid_camille, paid_karim):
            _exit(dossier, staff)
        _at(done_end, 19)
        rating_submit(dossier_id=paid_camille.pk, actor=camille.user, scores=SCORES_GOOD, comment=PUBLISHED_COMMENT)
        rating_submit(dossier_id=paid_karim.pk, actor=karim.user, scores=SCORES_MIXED, comment=HELD_COMMENT)

        _at(paid_on, 8)
        outcome = runs.payment_run(by=payment_officer)
        for run in outcome.runs:
            runs.payment_run_mark_sent(run=run.reference, by=payment_officer)
        _at(paid_on, 16)
        for run in outcome.runs:
            runs.payment_run_confirm(run=run.reference, by=payment_officer)

        _enter(exited, staff)
        _enter(current, staff)
        _exit(exited, staff)
        _at(exited_end, 18)
        ticket_open(
            author=camille.user,
            category="enrolment",
            subject="Attestation de fin de formation",
            body="Bonjour, où puis-je trouver l'attestation de ma formation d'anglais qui vient de se terminer ?",
            dossier_reference=Dossier.objects.get(pk=exited.pk).number,
        )

    # Today, with the real clock: a request to answer, a proposal to accept, a question and an alert.
    next_lyon = lyon.sessions.filter(start_date__gt=today).order_by("start_date").first()
    next_remote = remote.sessions.filter(start_date__gt=today).order_by("start_date").first()
    if next_lyon is None or next_remote is None:  # created by load_demo_catalogue
        raise RuntimeError("the demo provider's upcoming sessions are missing")
    enrolment.dossier_request(
        actor=karim.user, session_id=next_lyon.pk, holder_message="Je souhaite progresser en anglais oral."
    )
    proposal = enrolment.dossier_request(actor=camille.user, session_id=next_remote.pk)
    enrolment.dossier_propose(
        dossier_id=proposal.pk, actor=staff, message="Session à distance, 2 soirs par semaine. Bienvenue !"
    )
    ticket_open(
        author=staff,
        category="payment",
        subject="Délai de paiement après un changement de RIB",
        body="Bonjour, combien de temps les paiements sont-ils suspendus après un changement de coordonnées bancaires ?",
    )
    _suspicious_offer()


# The story's planted suspicious offer: its provider is not a clean provider (bench/trust excludes it).
SUSPICIOUS_TRAINING_REFERENCE = "BIEN-ETRE-DEMO"


def _suspicious_offer() -> None:
    """An offer of another provider whose text the trust screening flags: an open alert for the analysts."""
    other = Provider.objects.exclude(memberships__isnull=False).order_by("pk").first()
    model = Offer.objects.filter(training__provider=other).select_related("training__certification").first()
    if other is None or model is None:
        return
    offer = catalogue.offer_create(
        provider=other,
        actor=None,
        certification=model.training.certification,
        training_reference=SUSPICIOUS_TRAINING_REFERENCE,
        offer_reference="BE-1",
        training={
            "title": "Gestion du stress au travail",
            "objectives": "Retrouver son énergie grâce au reiki et à la kinésiologie.",
        },
        offer={
            "modality": "distance",
            "hours_total": 14,
            "price_incl_tax_cents": 90_000,
            "price_excl_tax_cents": 75_000,
        },
        publish=True,
    )
    screen_offer_now(offer.pk)
