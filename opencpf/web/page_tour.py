"""A tour of every page of the three portals: which user sees it, with which sample records.

Used by the accessibility test (axe-core on every page) and by `python -m bench.pages`. `build()` adds to the
demo data (`opencpf.web.demo`) one record of each kind a page shows (dossiers in several states, tickets, a
report, an alert, a DIF claim, a provider applying for referencing), through the domains' services, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

PORTALS = ("holder", "provider", "backoffice")
TOUR_MARK = "Visite des pages"  # subject of the holder's sample ticket: the tour was built once


@dataclass
class Page:
    name: str  # URL name, e.g. "holder:dossier_detail"
    path: str
    who: str  # anonymous, holder, provider, agent


@dataclass
class Tour:
    users: dict[str, Any]
    kwargs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What a user does before some pages show their content: (who, URL name, POST data), e.g. the agent gives the
    # reason for opening a holder's file in the console (remembered in the session).
    posts: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def prepare(self, clients: dict[str, Any]) -> None:
        """Make each of `posts` with the given (logged-in) test clients, keyed by `who`."""
        for who, name, data in self.posts:
            if name in self.kwargs:
                clients[who].post(reverse(name, kwargs=self.kwargs[name]), data)

    def pages(self) -> list[Page]:
        """Every route of the three portals (and the offline page) as a concrete path and the user to ask as."""
        found: list[Page] = []
        for name, _prefix in portal_route_names():
            try:
                path = reverse(name, kwargs=self.kwargs.get(name) or None)
            except NoReverseMatch:  # a route whose sample record is missing is left out
                continue
            found.append(Page(name, path, who_for(name, path)))
        return found


def portal_route_names() -> list[tuple[str, str]]:
    """(URL name, prefix) of every named route of the three portals, in URLconf order, plus the offline page."""
    names: list[tuple[str, str]] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace in PORTALS:
                names.append((f"{namespace}:{p.name}", prefix))

    walk(get_resolver().url_patterns, "", "")
    names.append(("offline", ""))
    seen: set[str] = set()
    return [(n, p) for n, p in names if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]


# Public pages of each portal (the rest of /mon-compte/, /organisme/, /gestion/ needs a login).
ANONYMOUS = {
    "holder:home",
    "holder:login",
    "holder:accessibility",
    "holder:legal",
    "holder:help",
    "holder:report",
    "holder:activate",
    "holder:password_reset",
    "holder:password_reset_confirm",
    "holder:email_confirm",
    "holder:offer",
    "holder:search_ranking",
    "provider:login",
    "provider:invitation",
    "provider:referencing_apply",
    "backoffice:login",
    "backoffice:invitation",
    "offline",
}


def who_for(name: str, path: str) -> str:
    if name in ANONYMOUS:
        return "anonymous"
    if path.startswith("/organisme/"):
        return "provider"
    if path.startswith("/gestion/"):
        return "agent"
    return "holder"  # /mon-compte/ and the search page (a holder sees "within my balance")


def build() -> Tour:
    """The demo data plus one sample record of each kind; idempotent (a second call only looks them up)."""
    from opencpf.identity.models import Holder, User
    from opencpf.support.models import Ticket
    from opencpf.web import demo

    demo.load()
    holder = Holder.objects.select_related("user").get(user__email=demo.DEMO_HOLDERS[0].email)
    staff = User.objects.get(email=demo.DEMO_PROVIDER_STAFF[0])
    agent = User.objects.get(email=demo.DEMO_AGENTS[1][0])  # the administrator sees every back-office page
    if not Ticket.objects.filter(author=holder.user, subject=TOUR_MARK).exists():
        with transaction.atomic():
            _samples(holder, staff, agent)
    reason = {"action": "reason", "reason": "Visite des pages : exemple de consultation"}
    return Tour(
        users={"holder": holder.user, "provider": staff, "agent": agent},
        kwargs=_kwargs(holder, staff),
        posts=[("agent", "backoffice:console_holder", reason)],
    )


def _samples(holder: Any, staff: Any, agent: Any) -> None:
    from django.core.files.base import ContentFile

    from opencpf.catalogue import services as catalogue
    from opencpf.catalogue.models import Offer, Session
    from opencpf.core import clock
    from opencpf.enrolment import services as enrolment
    from opencpf.identity.models import Holder
    from opencpf.rights import services as rights
    from opencpf.support import services as support
    from opencpf.trust import services as trust
    from opencpf.web import demo

    user = holder.user
    holder_ready(holder)
    offers = list(
        Offer.objects.filter(training__provider__memberships__user=staff, is_published=True).order_by("id")[:2]
    )
    today = clock.today()
    sessions = []
    for o in offers:  # a session to come (the demo may have been loaded long ago)
        found = Session.objects.filter(offer=o, start_date__gt=today + dt.timedelta(days=20)).order_by("start_date")
        start = today + dt.timedelta(days=30)
        sessions.append(
            found.first()
            or catalogue.session_create(
                offer=o,
                actor=None,
                reference=f"TOUR-{start:%Y%m%d}",
                start_date=start,
                end_date=start + dt.timedelta(days=20),
            )
        )
    requested = enrolment.dossier_request(actor=user, session_id=sessions[0].pk, holder_message="Disponible le soir.")
    enrolment.dossier_propose(dossier_id=requested.pk, actor=staff)
    enrolment.dossier_request(actor=user, session_id=sessions[1].pk)
    support.ticket_open(author=user, category="account", subject=TOUR_MARK, body="Où voir mes droits ?")
    support.ticket_open(author=staff, category="payment", subject="Date du prochain paiement", body="Quand ?")
    support.report_submit(kind="cold_calling", description="Un appel pour vendre une formation.", reporter=user)
    offer = offers[0]
    trust.alert_raise(
        rule="sample",
        subject_type="offer",
        subject_id=offer.pk,
        subject_label=str(offer.training.title),
        score=0.5,
        reasons=[{"label": "Exemple de la visite des pages", "excerpt": "exemple", "matched": "exemple", "score": 0.5}],
    )
    other = Holder.objects.get(user__email=demo.DEMO_HOLDERS[1].email)
    rights.dif_claim_submit(nir_hash=other.nir_hash, hours=60, proof=ContentFile(b"%PDF-1.4\n", name="dif.pdf"))
    _paid_sample(other, staff, offers[0])
    _dispute_sample(holder, staff, agent, sessions[1])
    _control_sample(staff, agent)
    _adjustment_sample(holder, agent)
    _totp_sample()
    catalogue.provider_apply(
        name="Nouvel Organisme",
        siret="35600000000048",
        nda="11111111111",
        qualiopi_number="QUA-TOUR-0001",
        qualiopi_expires_on=today + dt.timedelta(days=365),
        permissions=[],
        directors_declaration=True,
        email="contact@nouvel-organisme.example.org",
    )


def _totp_sample() -> None:
    """The support agent has an authenticator app: the administrator's agents page offers to reset it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencpf.identity.models import User
    from opencpf.web import demo

    support_agent = User.objects.get(email=demo.DEMO_AGENTS[0][0])
    TOTPDevice.objects.get_or_create(user=support_agent, confirmed=True, defaults={"name": "Visite des pages"})


def _paid_sample(holder: Any, staff: Any, offer: Any) -> None:
    """A dossier taken to the end (entry, exit, rating, payment run) for the pages of ratings and payments.
    Built only where the exit, rating and payment-run services exist (they come from other branches)."""
    found = _optional(
        ("opencpf.enrolment.services", "dossier_declare_exit"),
        ("opencpf.payments.runs", "payment_run"),
        ("opencpf.reviews.enums", "CRITERIA_NAMES"),
        ("opencpf.reviews.services", "rating_submit"),
    )
    if found is None:
        return
    dossier_declare_exit, payment_run, criteria_names, rating_submit = found
    from opencpf.catalogue import services as catalogue
    from opencpf.core import clock
    from opencpf.enrolment import services as enrolment
    from opencpf.payments.models import BankAccountStatus, ProviderBankAccount
    from opencpf.rights.enums import AccountKind, TransactionKind
    from opencpf.rights.ledger import holder_account, platform_account, post

    user = holder.user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        user.save(update_fields=["email_confirmed_at"])
    post(
        key=f"page-tour-credit-{holder.pk}",
        kind=TransactionKind.CREDIT_YEAR,
        lines=[
            (platform_account(AccountKind.OPERATOR_FUNDING, "demo"), -offer.price_incl_tax_cents),
            (holder_account(AccountKind.RIGHTS, holder.nir_hash), offer.price_incl_tax_cents),
        ],
        label="Alimentation annuelle",
    )
    start = clock.today() + dt.timedelta(days=30)
    end = start + dt.timedelta(days=4)
    session = catalogue.session_create(
        offer=offer, actor=None, reference=f"TOUR-PAYE-{start:%Y%m%d}", start_date=start, end_date=end
    )
    dossier = enrolment.dossier_request(actor=user, session_id=session.pk)
    enrolment.dossier_propose(dossier_id=dossier.pk, actor=staff)
    enrolment.dossier_accept(dossier_id=dossier.pk, actor=user, strong_session=True)
    with clock.frozen(dt.datetime.combine(start, dt.time(9, 0))):
        enrolment.dossier_declare_entry(dossier_id=dossier.pk, actor=staff)
    with clock.frozen(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(9, 0))):
        dossier_declare_exit(dossier_id=dossier.pk, actor=staff, exit_date=end, hours_attended=offer.hours_total)
        rating_submit(dossier_id=dossier.pk, actor=user, scores=dict.fromkeys(criteria_names, 5), comment="Très bien.")
        if not ProviderBankAccount.objects.filter(provider=dossier.provider, status=BankAccountStatus.ACTIVE).exists():
            ProviderBankAccount.objects.create(
                provider=dossier.provider,
                iban="FR7630006000011234567890189",
                bic="AGRIFRPP",
                account_holder=dossier.provider.name,
                status=BankAccountStatus.ACTIVE,
                requested_by=staff,
                requested_at=clock.now(),
            )
        payment_run(by=None)


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"  # enough for the uploads' signature check


def _dispute_sample(holder: Any, staff: Any, agent: Any, session: Any) -> None:
    """A dispute on one of the holder's accepted dossiers, a PDF from each side and an agent's message."""
    found = _optional(
        ("opencpf.support.disputes", "dispute_open"), ("opencpf.support.disputes", "dispute_post_message")
    )
    if found is None:
        return
    dispute_open, dispute_post_message = found
    from django.core.files.base import ContentFile

    from opencpf.enrolment import services as enrolment
    from opencpf.enrolment.enums import DossierState
    from opencpf.enrolment.models import Dossier

    dossier = (
        Dossier.objects.filter(holder=holder, provider__memberships__user=staff)
        .exclude(state__in=(DossierState.NOT_PROCESSED, DossierState.VALIDATED))
        .order_by("id")
        .first()
    )
    if dossier is None:  # one accepted here (the demo's may belong to other holders)
        dossier = Dossier.objects.filter(holder=holder, session=session).order_by("id").first()
        if dossier is None:
            return
        enrolment.dossier_propose(dossier_id=dossier.pk, actor=staff)
        enrolment.dossier_accept(dossier_id=dossier.pk, actor=holder.user, strong_session=True)
    dispute = dispute_open(
        actor=holder.user,
        dossier_number=dossier.number,
        reason="attendance",
        body="Je n'étais pas absent le deuxième jour : voici mon attestation.",
        upload=ContentFile(PDF, name="attestation.pdf"),
    )
    dispute_post_message(
        dispute_id=dispute.pk,
        actor=staff,
        body="Voici la feuille d'émargement du deuxième jour.",
        upload=ContentFile(PDF, name="emargement.pdf"),
    )
    dispute_post_message(dispute_id=dispute.pk, actor=agent, body="Merci, nous examinons les deux pièces.")


def _control_sample(staff: Any, agent: Any) -> None:
    """A control of the staff's provider, answered with a PDF proof."""
    found = _optional(("opencpf.trust.controls", "control_open"), ("opencpf.trust.controls", "control_answer"))
    if found is None:
        return
    control_open, control_answer = found
    from django.core.files.base import ContentFile

    from opencpf.catalogue.models import Provider

    provider = Provider.objects.filter(memberships__user=staff).order_by("id").first()
    if provider is None:
        return
    control = control_open(
        provider_id=provider.pk,
        agent=agent,
        reason="Visite des pages : contrôle d'exemple",
        proofs_requested="Feuilles d'émargement signées.",
    )
    control_answer(
        control_id=control.pk,
        user=staff,
        answer="Voici les feuilles d'émargement.",
        proofs=[("attendance", ContentFile(PDF, name="emargement.pdf"))],
    )


def _adjustment_sample(holder: Any, agent: Any) -> None:
    """A rights adjustment proposed by the agent (waiting for a second agent), where adjustments exist."""
    found = _optional(("opencpf.rights.adjustments", "adjustment_propose"))
    if found is None:
        return
    from opencpf.rights.enums import AccountKind

    found[0](
        holder=holder,
        agent=agent,
        account_kind=AccountKind.RIGHTS.value,
        amount_cents=5_000,
        reason="Visite des pages : régularisation d'exemple",
    )


@transaction.atomic
def holder_ready(holder: Any) -> None:
    """The demo holder can buy: confirmed email, an authenticator app, 1 500 € of rights, a region's top-up."""
    from opencpf.core import clock
    from opencpf.identity import strong
    from opencpf.rights import services as rights
    from opencpf.rights.enums import AccountKind, FunderKind, TransactionKind
    from opencpf.rights.ledger import holder_account, platform_account, post
    from opencpf.rights.models import Funder
    from opencpf.web import demo

    user = holder.user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
        user.save(update_fields=["email_confirmed_at"])
    if strong.totp_device(user) is None:  # an authenticator app: the second factor of purchases
        device = strong.totp_enrol_start(user=user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    post(
        key=f"page-tour-credit-{holder.pk}",
        kind=TransactionKind.CREDIT_YEAR,
        lines=[
            (platform_account(AccountKind.OPERATOR_FUNDING, "demo"), -150_000),
            (holder_account(AccountKind.RIGHTS, holder.nir_hash), 150_000),
        ],
        label="Alimentation annuelle",
    )
    funder = Funder.objects.filter(reference="R84").first() or rights.funder_create(
        name="Région Auvergne-Rhône-Alpes", kind=FunderKind.REGION, reference="R84"
    )
    d = demo.DEMO_HOLDERS[0]
    rights.topup_add(
        funder=funder,
        nir=d.nir,
        birth_name=d.birth_name,
        amount_cents=30_000,
        idempotency_key=f"page-tour-topup-{holder.pk}",
        certification_code=_english_code(),
    )


def _english_code() -> str:
    from opencpf.catalogue import demo_data

    return str(next(t[2] for t in demo_data.TOPICS if t[0] == "anglais")[0])


def _kwargs(holder: Any, staff: Any) -> dict[str, dict[str, Any]]:
    from opencpf.catalogue.models import Offer, Provider, ProviderStatus
    from opencpf.enrolment.models import Dossier
    from opencpf.rights.models import DifClaim
    from opencpf.support.models import Report, Ticket
    from opencpf.trust.models import Alert

    dossiers = Dossier.objects.filter(holder=holder).order_by("id")
    proposed = dossiers.filter(state="validated").first() or dossiers.first()
    offer = Offer.objects.filter(training__provider__memberships__user=staff).order_by("id").first()
    session = offer.sessions.order_by("start_date").first() if offer else None
    holder_ticket = Ticket.objects.filter(author=holder.user).order_by("id").first()
    staff_ticket = Ticket.objects.filter(author=staff).order_by("id").first()
    report = Report.objects.order_by("id").first()
    alert = Alert.objects.order_by("id").first()
    claim = DifClaim.objects.order_by("id").first()
    applicant = Provider.objects.exclude(status=ProviderStatus.REFERENCED).order_by("id").first()
    samples: dict[str, dict[str, Any]] = {}

    def put(names: tuple[str, ...], **kw: Any) -> None:
        if all(v is not None for v in kw.values()):
            samples.update(dict.fromkeys(names, kw))

    number = proposed.number if proposed else None
    put(("holder:dossier_detail", "holder:dossier_accept"), number=number)
    put(("provider:dossier_detail", "backoffice:dossier_detail"), number=number)
    put(("holder:session_request",), session_id=session.pk if session else None)
    put(("holder:offer",), offer_id=offer.pk if offer else None)
    put(
        ("provider:offer_detail", "provider:offer_edit", "provider:session_create"),
        offer_id=offer.pk if offer else None,
    )
    put(("provider:session_edit", "provider:session_duplicate"), session_id=session.pk if session else None)
    put(("holder:ticket_detail",), number=holder_ticket.number if holder_ticket else None)
    put(("provider:ticket_detail",), number=staff_ticket.number if staff_ticket else None)
    put(("backoffice:support_ticket",), number=holder_ticket.number if holder_ticket else None)
    put(("backoffice:support_report",), reference=report.reference if report else None)
    put(("backoffice:trust_alert", "backoffice:trust_alert_act"), pk=alert.pk if alert else None)
    put(("backoffice:holder_detail", "backoffice:console_holder", "backoffice:adjustment_propose"), holder_id=holder.pk)
    put(("backoffice:rights_dif_detail", "backoffice:rights_dif_proof"), claim_id=claim.pk if claim else None)
    put(("backoffice:referencing_detail",), provider_id=applicant.pk if applicant else None)
    put(("holder:offer_ratings",), offer_id=offer.pk if offer else None)
    put(("holder:provider_ratings",), provider_id=offer.training.provider_id if offer else None)
    _payments_kwargs(put)
    _disputes_kwargs(put, staff)
    for name in ("provider:invitation", "backoffice:invitation", "holder:password_reset_confirm"):
        samples[name] = {"uidb64": "MQ", "token": "lien-perime"}
    samples["holder:email_confirm"] = {"token": "lien-perime"}
    return samples


def _payments_kwargs(put: Any) -> None:
    """A payment run and its line, where payment runs exist (another branch brings them)."""
    found = _optional(("opencpf.payments.models", "PaymentRun"), ("opencpf.payments.models", "PaymentLine"))
    if found is None:
        return
    PaymentRun, PaymentLine = found
    run = PaymentRun.objects.order_by("id").first()
    line = PaymentLine.objects.order_by("id").first()
    put(("backoffice:payment_run_detail",), run_id=run.pk if run else None)
    put(("provider:payment_advice",), line_id=line.pk if line else None)


def _disputes_kwargs(put: Any, staff: Any) -> None:
    """The sample dispute, control, adjustment and dashboard (where those branches' code exists)."""
    from opencpf.catalogue.models import Provider

    provider = Provider.objects.filter(memberships__user=staff).order_by("id").first()
    put(("backoffice:console_provider", "backoffice:trust_control_new"), provider_id=provider.pk if provider else None)
    found = _optional(("opencpf.support.models", "DisputeMessage"))
    if found is not None:
        message = found[0].objects.exclude(attachment="").select_related("dispute").order_by("id").first()
        reference = message.dispute.reference if message else None
        put(("holder:dispute_detail", "provider:dispute_detail", "backoffice:dispute"), reference=reference)
        put(
            ("holder:dispute_attachment", "provider:dispute_attachment", "backoffice:dispute_attachment"),
            reference=reference,
            message_id=message.pk if message else None,
        )
    found = _optional(("opencpf.trust.models", "Control"), ("opencpf.trust.models", "ControlProof"))
    if found is not None:
        control = found[0].objects.filter(provider=provider).order_by("id").first() if provider else None
        proof = found[1].objects.filter(control=control).order_by("id").first() if control else None
        put(("backoffice:trust_control",), pk=control.pk if control else None)
        put(("provider:trust_control",), reference=control.reference if control else None)
        put(
            ("backoffice:trust_control_proof",),
            pk=control.pk if control else None,
            proof_id=proof.pk if proof else None,
        )
    found = _optional(("opencpf.rights.models", "Adjustment"))
    if found is not None:
        adjustment = found[0].objects.order_by("id").first()
        put(("backoffice:adjustment_decide",), adjustment_id=adjustment.pk if adjustment else None)
    put(("backoffice:dashboard_csv",), name="montants")


def _optional(*names: tuple[str, str]) -> list[Any] | None:
    """The named attributes of modules (module, attribute), or None if one is missing (code of another branch)."""
    import importlib

    found = []
    for module, attribute in names:
        try:
            found.append(getattr(importlib.import_module(module), attribute))
        except (ImportError, AttributeError):
            return None
    return found
