"""Writes on trainings, offers and sessions. Every change to an offer is logged and notified after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from opencpf.catalogue import rules
from opencpf.catalogue.exceptions import InvalidOfferData, OfferNotPublishable, UnknownCertification
from opencpf.catalogue.models import (
    Certification,
    Commune,
    Modality,
    Offer,
    OfferChange,
    OfferChangeAction,
    Provider,
    Session,
    Training,
)
from opencpf.catalogue.signals import offers_changed
from opencpf.core import clock

TRAINING_FIELDS = (
    "title",
    "objectives",
    "content",
    "expected_results",
    "prerequisites",
    "has_prerequisites",
    "formacode_codes",
    "nsf_codes",
    "rome_codes",
    "entry_level",
    "exit_level",
    "certifinfo_code",
)
OFFER_FIELDS = (
    "modality",
    "address",
    "postcode",
    "city",
    "insee_code",
    "latitude",
    "longitude",
    "hours_total",
    "hours_centre",
    "hours_company",
    "price_incl_tax_cents",
    "price_excl_tax_cents",
    "disability_access",
    "disability_details",
    "contact_email",
    "contact_phone",
)
SESSION_FIELDS = ("start_date", "end_date", "is_recruiting", "capacity")


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "système"
    return str(getattr(actor, "email", "") or getattr(actor, "username", ""))[:150]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    return value


def offer_change_record(
    *,
    offer: Offer,
    actor: Any,
    action: str,
    changes: dict[str, Any] | None = None,
    source: str = "portal",
    reason: str = "",
) -> OfferChange:
    change = OfferChange.objects.create(
        offer=offer,
        at=clock.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        source=source,
        action=action,
        changes=changes or {},
        reason=reason[:500],
    )
    offers_changed([offer.pk])
    return change


def _apply(obj: Model, data: dict[str, Any], allowed: tuple[str, ...], prefix: str = "") -> dict[str, list[Any]]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise InvalidOfferData(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    diff: dict[str, list[Any]] = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()  # every source (pages, API, LHEO) stores the same text
        before = getattr(obj, name)
        if before != value:
            diff[prefix + name] = [_jsonable(before), _jsonable(value)]
            setattr(obj, name, value)
    return diff


def _normalize_training(data: dict[str, Any] | None) -> dict[str, Any]:
    """LHEO level code 0 means "not given": stored as None so that every source says it the same way."""
    out = dict(data or {})
    for key in ("entry_level", "exit_level"):
        if out.get(key) == 0:
            out[key] = None
    return out


def _locate(offer: Offer) -> None:
    """Fill commune, coordinates and department from the communes referential when it is loaded."""
    if offer.modality == Modality.DISTANCE and not offer.insee_code:
        offer.commune = None
        offer.department_code = ""
        return
    commune = Commune.objects.filter(insee_code=offer.insee_code).first() if offer.insee_code else None
    if commune is None and offer.postcode and offer.city:
        candidates = Commune.objects.filter(name__iexact=offer.city.strip())
        commune = next((c for c in candidates if offer.postcode in c.postcodes), None)
    offer.commune = commune
    if commune is not None:
        offer.insee_code = offer.insee_code or commune.insee_code
        offer.city = offer.city or commune.name
        if offer.latitude is None or offer.longitude is None:
            offer.latitude, offer.longitude = commune.latitude, commune.longitude
        offer.department_code = commune.department_code
    elif offer.postcode:
        offer.department_code = _department_from_postcode(offer.postcode)


def _department_from_postcode(postcode: str) -> str:
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def _validate_offer(offer: Offer) -> None:
    if offer.modality not in Modality.values:
        raise InvalidOfferData("La modalité doit être présentiel, à distance ou mixte.")
    for name in ("hours_total", "hours_centre", "hours_company", "price_incl_tax_cents", "price_excl_tax_cents"):
        value = getattr(offer, name)
        if not isinstance(value, int) or value < 0:
            raise InvalidOfferData(
                f"La valeur « {getattr(Offer._meta.get_field(name), 'verbose_name', name)} » doit être un entier positif."
            )


def certification_by_code(code: str) -> Certification:
    cert = Certification.objects.filter(code=code.strip().upper().replace(" ", "")).first()
    if cert is None:
        raise UnknownCertification(f"La certification « {code} » est inconnue du répertoire.")
    return cert


@transaction.atomic
def offer_create(
    *,
    provider: Provider,
    actor: Any,
    certification: Certification,
    training_reference: str,
    offer_reference: str,
    training: dict[str, Any],
    offer: dict[str, Any],
    publish: bool = False,
    source: str = "portal",
) -> Offer:
    """Create an offer (and its training when the provider has none with this reference)."""
    training = _normalize_training(training)
    t = Training.objects.filter(provider=provider, reference=training_reference).first()
    if t is None:
        t = Training(provider=provider, reference=training_reference, certification=certification)
        _apply(t, training, TRAINING_FIELDS)
        if not t.title:
            raise InvalidOfferData("L'intitulé de la formation est obligatoire.")
        t.save()
    elif training:
        t.certification = certification
        _apply(t, training, TRAINING_FIELDS)
        t.save()
    if Offer.objects.filter(training=t, reference=offer_reference).exists():
        raise InvalidOfferData(f"Une offre porte déjà le numéro « {offer_reference} » pour cette formation.")
    o = Offer(training=t, reference=offer_reference)
    _apply(o, offer, OFFER_FIELDS)
    _validate_offer(o)
    _locate(o)
    try:
        with transaction.atomic():
            o.save()
    except IntegrityError as exc:  # the same reference created concurrently
        raise InvalidOfferData(f"Une offre porte déjà le numéro « {offer_reference} » pour cette formation.") from exc
    offer_change_record(
        offer=o,
        actor=actor,
        action=OfferChangeAction.CREATED,
        source=source,
        changes={k: _jsonable(v) for k, v in {**training, **offer}.items()},
    )
    if publish:
        offer_publish(offer=o, actor=actor, source=source)
    return o


@transaction.atomic
def offer_update(
    *,
    offer: Offer,
    actor: Any,
    training: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    certification: Certification | None = None,
    source: str = "portal",
) -> Offer:
    offer = Offer.objects.select_for_update(of=("self",)).select_related("training").get(pk=offer.pk)
    t = offer.training
    diff = _apply(t, _normalize_training(training), TRAINING_FIELDS, prefix="formation.")
    if certification is not None and certification.pk != t.certification_id:
        diff["formation.certification"] = [t.certification.code, certification.code]
        t.certification = certification
    if diff:
        t.save()
    offer_diff = _apply(offer, fields or {}, OFFER_FIELDS)
    if offer_diff:
        _validate_offer(offer)
        _locate(offer)
        offer.save()
    diff.update(offer_diff)
    if diff:
        offer_change_record(offer=offer, actor=actor, action=OfferChangeAction.UPDATED, changes=diff, source=source)
        sibling_ids = (
            list(t.offers.exclude(pk=offer.pk).values_list("pk", flat=True))
            if any(k.startswith("formation.") for k in diff)
            else []
        )
        offers_changed(sibling_ids)
        if offer.is_published:
            problems = rules.offer_publication_problems(offer)
            if problems:
                _unpublish(offer, actor=actor, reason="; ".join(problems), source=source)
    return offer


@transaction.atomic
def offer_publish(*, offer: Offer, actor: Any, source: str = "portal") -> Offer:
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("training__certification", "training__provider")
        .get(pk=offer.pk)
    )
    problems = rules.offer_publication_problems(offer)
    if problems:
        raise OfferNotPublishable(problems)
    if not offer.is_published:
        offer.is_published = True
        offer.published_at = clock.now()
        offer.unpublished_reason = ""
        offer.save(update_fields=["is_published", "published_at", "unpublished_reason", "updated_at"])
        offer_change_record(
            offer=offer,
            actor=actor,
            action=OfferChangeAction.PUBLISHED,
            source=source,
            changes={"is_published": [False, True]},
        )
    return offer


def _unpublish(offer: Offer, *, actor: Any, reason: str, source: str) -> None:
    offer.is_published = False
    offer.unpublished_at = clock.now()
    offer.unpublished_reason = reason[:500]
    offer.save(update_fields=["is_published", "unpublished_at", "unpublished_reason", "updated_at"])
    offer_change_record(
        offer=offer,
        actor=actor,
        action=OfferChangeAction.UNPUBLISHED,
        source=source,
        changes={"is_published": [True, False]},
        reason=reason,
    )


@transaction.atomic
def offer_unpublish(*, offer: Offer, actor: Any, reason: str = "", source: str = "portal") -> Offer:
    offer = Offer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    if offer.is_published:
        _unpublish(offer, actor=actor, reason=reason or "dépubliée par l'organisme", source=source)
    return offer


@transaction.atomic
def offers_unpublish_where(*, offer_ids: list[int], reason: str, actor: Any = None, source: str = "system") -> int:
    """Unpublish many offers for one reason (referencing decisions, expired Qualiopi, withdrawn permission)."""
    count = 0
    for offer in Offer.objects.select_for_update(of=("self",)).filter(pk__in=offer_ids, is_published=True):
        _unpublish(offer, actor=actor, reason=reason, source=source)
        count += 1
    return count


def _free_reference(model: type[Model], base: str, **scope: Any) -> str:
    """`base-copie`, `base-copie-2`, ... within 64 characters: the base is shortened, never the suffix (cutting
    the whole candidate gave the same taken reference for every n from a long base, and looped forever)."""
    n = 1
    while True:
        suffix = f"-copie{'' if n == 1 else f'-{n}'}"
        candidate = base[: 64 - len(suffix)] + suffix
        if not model._default_manager.filter(reference=candidate, **scope).exists():
            return candidate
        n += 1


@transaction.atomic
def offer_duplicate(*, offer: Offer, actor: Any, source: str = "portal") -> Offer:
    """A copy of the offer (unpublished, without sessions) the provider then edits."""
    copy = Offer.objects.get(pk=offer.pk)
    copy.pk = None
    copy.reference = _free_reference(Offer, offer.reference, training_id=offer.training_id)
    copy.is_published = False
    copy.published_at = copy.unpublished_at = None
    copy.unpublished_reason = ""
    copy.save()
    offer_change_record(
        offer=copy,
        actor=actor,
        action=OfferChangeAction.DUPLICATED,
        source=source,
        changes={"copie_de": offer.pk},
    )
    return copy


def _validate_session(s: Session) -> None:
    if s.end_date < s.start_date:
        raise InvalidOfferData("La date de fin de la session doit suivre sa date de début.")
    if s.capacity is not None and s.capacity < 0:
        raise InvalidOfferData("Le nombre de places doit être positif.")


@transaction.atomic
def session_create(*, offer: Offer, actor: Any, reference: str, source: str = "portal", **fields: Any) -> Session:
    if Session.objects.filter(offer=offer, reference=reference).exists():
        raise InvalidOfferData(f"Une session porte déjà le numéro « {reference} » pour cette offre.")
    s = Session(offer=offer, reference=reference)
    _apply(s, fields, SESSION_FIELDS)
    _validate_session(s)
    try:
        with transaction.atomic():
            s.save()
    except IntegrityError as exc:
        raise InvalidOfferData(f"Une session porte déjà le numéro « {reference} » pour cette offre.") from exc
    offer_change_record(
        offer=offer,
        actor=actor,
        action=OfferChangeAction.SESSION,
        source=source,
        changes={f"session.{reference}": ["", "créée"]},
    )
    return s


@transaction.atomic
def session_update(*, session: Session, actor: Any, source: str = "portal", **fields: Any) -> Session:
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    diff = _apply(session, fields, SESSION_FIELDS, prefix=f"session.{session.reference}.")
    if diff:
        _validate_session(session)
        session.save()
        offer_change_record(
            offer=session.offer, actor=actor, action=OfferChangeAction.SESSION, source=source, changes=diff
        )
    return session


@transaction.atomic
def session_duplicate(*, session: Session, actor: Any, start_date: dt.date, source: str = "portal") -> Session:
    """A copy of the session starting on `start_date`, same length."""
    length = session.end_date - session.start_date
    return session_create(
        offer=session.offer,
        actor=actor,
        reference=_free_reference(Session, session.reference, offer_id=session.offer_id),
        source=source,
        start_date=start_date,
        end_date=start_date + length,
        is_recruiting=True,
        capacity=session.capacity,
    )
