"""Apply a read LHEO document to the catalogue: all or nothing, or (partial) the valid formations only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from opencpf.catalogue.exceptions import CatalogueError, LheoError
from opencpf.catalogue.lheo.reader import Document, FormationData, Problem, read_document
from opencpf.catalogue.models import Certification, Offer, Provider, ProviderStatus, Session, Training
from opencpf.catalogue.rules import offer_publication_problems
from opencpf.catalogue.services import offers as offer_services


@dataclass
class LheoReport:
    version: str = ""
    formations: int = 0
    imported: int = 0
    offers_created: int = 0
    offers_updated: int = 0
    offers_unchanged: int = 0
    sessions_created: int = 0
    sessions_updated: int = 0
    published: int = 0
    providers_created: int = 0
    rejected: dict[str, list[str]] = field(default_factory=dict)  # formation numero -> problems
    unpublished: dict[str, list[str]] = field(default_factory=dict)  # offer numero -> reasons

    @property
    def ok(self) -> bool:
        return not self.rejected


def _problems_text(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def _differs(obj: Any, data: dict[str, Any]) -> bool:  # data already normalized by the reader
    return any(getattr(obj, k) != v for k, v in data.items())


def _apply_formation(
    f: FormationData,
    *,
    scope_provider: Provider | None,
    actor: Any,
    create_providers: bool,
    publish: bool,
    report: LheoReport,
) -> None:
    cert = Certification.objects.filter(code=f.certification_code).first()
    if cert is None:
        raise LheoError(f"ligne {f.line} : certification « {f.certification_code} » inconnue du répertoire")
    siret = f.provider.get("siret", "")
    if scope_provider is not None:
        if siret != scope_provider.siret:
            raise LheoError(f"ligne {f.line} : SIRET {siret} différent de celui de votre organisme")
        provider = scope_provider
    else:
        found = Provider.objects.filter(siret=siret).first()
        if found is None:
            if not create_providers:
                raise LheoError(f"ligne {f.line} : organisme {siret} inconnu")
            found = Provider.objects.create(
                siret=siret,
                nda=f.provider.get("nda", "")[:11],
                name=f.provider.get("name", "")[:250] or siret,
                status=ProviderStatus.PENDING,
            )
            report.providers_created += 1
        provider = found
    training = Training.objects.filter(provider=provider, reference=f.reference).first()
    for action in f.actions:
        existing = (
            Offer.objects.select_related("training").filter(training=training, reference=action.reference).first()
            if training is not None
            else None
        )
        if existing is None:
            offer = offer_services.offer_create(
                provider=provider,
                actor=actor,
                certification=cert,
                training_reference=f.reference,
                offer_reference=action.reference,
                training=f.fields,
                offer=action.fields,
                source="lheo",
            )
            training = offer.training
            report.offers_created += 1
        else:
            changed = (
                existing.training.certification_id != cert.pk
                or _differs(existing.training, f.fields)
                or _differs(existing, action.fields)
            )
            offer = existing
            if changed:
                offer = offer_services.offer_update(
                    offer=existing,
                    actor=actor,
                    training=f.fields,
                    fields=action.fields,
                    certification=cert,
                    source="lheo",
                )
        current_sessions = {x.reference: x for x in Session.objects.filter(offer=offer)}
        for s in action.sessions:
            values = {
                "start_date": s.start_date,
                "end_date": s.end_date,
                "is_recruiting": s.is_recruiting,
                "capacity": s.capacity,
            }
            current = current_sessions.get(s.reference)
            if current is None:
                offer_services.session_create(offer=offer, actor=actor, reference=s.reference, source="lheo", **values)
                report.sessions_created += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                offer_services.session_update(session=current, actor=actor, source="lheo", **values)
                report.sessions_updated += 1
                changed = True
        if existing is not None:
            if changed:
                report.offers_updated += 1
            else:
                report.offers_unchanged += 1
        if publish and not offer.is_published:
            offer.refresh_from_db()
            problems = offer_publication_problems(offer)
            if problems:
                report.unpublished[f"{f.reference}/{action.reference}"] = problems
            else:
                offer_services.offer_publish(offer=offer, actor=actor, source="lheo")
                report.published += 1


def import_document(
    doc: Document,
    *,
    partial: bool = False,
    scope_provider: Provider | None = None,
    actor: Any = None,
    create_providers: bool = True,
    publish: bool = True,
    progress: Callable[[int], None] | None = None,
) -> LheoReport:
    report = LheoReport(version=doc.version, formations=len(doc.formations))
    if 0 in doc.problems:
        report.rejected["document"] = _problems_text(doc.problems[0])
        return report
    for f in doc.formations:
        if f.index in doc.problems:
            report.rejected[f.reference] = _problems_text(doc.problems[f.index])
    if report.rejected and not partial:
        return report
    with transaction.atomic():
        for f in doc.formations:
            if progress:
                progress(1)
            if f.reference in report.rejected:
                continue
            try:
                with transaction.atomic():
                    _apply_formation(
                        f,
                        scope_provider=scope_provider,
                        actor=actor,
                        create_providers=create_providers,
                        publish=publish,
                        report=report,
                    )
                report.imported += 1
            except CatalogueError as exc:
                report.rejected[f.reference] = [exc.message]
        if report.rejected and not partial:
            transaction.set_rollback(True)
            report.imported = report.offers_created = report.offers_updated = 0
            report.sessions_created = report.sessions_updated = report.published = report.providers_created = 0
    return report


def import_lheo_bytes(data: bytes, *, xsd_path: str | None = None, **kwargs: Any) -> LheoReport:
    return import_document(read_document(data, xsd_path=xsd_path), **kwargs)
