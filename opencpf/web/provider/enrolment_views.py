"""Provider pages: dossiers to process sorted by deadline (filters, CSV export), answer, cancel, declare entry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.core import csvsafe
from opencpf.core.exceptions import DomainError
from opencpf.core.money import format_eur
from opencpf.enrolment import selectors, services, transitions
from opencpf.enrolment.enums import Who
from opencpf.enrolment.exceptions import DossierNotFound
from opencpf.web.access import provider_required
from opencpf.web.enrolment_forms import ExitForm, ProposeForm, ProviderFilterForm, ReasonForm

CSV_COLUMNS = [
    "numero_dossier",
    "etat",
    "formation",
    "session",
    "debut",
    "fin",
    "prix_ttc",
    "echeance",
    "type_echeance",
    "demande_le",
    "titulaire",
]


def _dossier(request: HttpRequest, number: str) -> Any:
    try:
        return selectors.dossier_for(request.user, number=number)
    except DossierNotFound:
        raise Http404


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(dossiers: Any) -> StreamingHttpResponse:
    writer = csvsafe.writer(_Echo(), delimiter=";")

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(CSV_COLUMNS)
        for d in dossiers.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    d.number,
                    d.state,
                    d.training.title,
                    d.session.reference,
                    d.start_date.isoformat(),
                    d.end_date.isoformat(),
                    format_eur(d.price_cents, symbol=False),
                    d.deadline_on.isoformat() if d.deadline_on else "",
                    d.get_deadline_kind_display() if d.deadline_kind else "",
                    d.requested_at.date().isoformat(),
                    f"{d.holder.first_names} {d.holder.usage_name or d.holder.birth_name}",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dossiers.csv"'
    return response


@provider_required
def dossier_list(request: HttpRequest) -> Any:
    form = ProviderFilterForm(request.GET or None)
    dossiers = selectors.dossiers_for_provider_user(request.user, **(form.filters() if request.GET else {}))
    if request.GET.get("format") == "csv":
        return _csv(dossiers)
    return render(
        request,
        "provider/enrolment/list.html",
        {"title": "Dossiers à traiter", "dossiers": dossiers[:200], "form": form, "query": request.GET.urlencode()},
    )


@provider_required
def dossier_detail(request: HttpRequest, number: str) -> HttpResponse:
    dossier = _dossier(request, number)
    return _render_detail(request, dossier)


def _render_detail(request: HttpRequest, dossier: Any, **forms: Any) -> HttpResponse:
    context = {
        "title": f"Dossier {dossier.number}",
        "dossier": dossier,
        "timeline": selectors.timeline(dossier),
        "events": transitions.available_events(dossier, Who.PROVIDER),
        "propose_form": forms.get("propose_form") or ProposeForm(dossier=dossier),
        "refuse_form": forms.get("refuse_form") or ReasonForm(prefix="refus"),
        "cancel_form": forms.get("cancel_form") or ReasonForm(prefix="annulation"),
        "exit_form": forms.get("exit_form") or ExitForm(prefix="sortie", dossier=dossier),
        "portal": "provider",
    }
    return render(request, "provider/enrolment/detail.html", context, status=400 if forms else 200)


@provider_required
@require_POST
def dossier_propose(request: HttpRequest, number: str) -> HttpResponse:
    dossier = _dossier(request, number)
    form = ProposeForm(request.POST, dossier=dossier)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.dossier_propose(
                dossier_id=dossier.pk,
                actor=request.user,
                session_id=data["session"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                price_cents=data["price"],
                message=data["message"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Proposition envoyée au titulaire.")
            return redirect("provider:dossier_detail", number=dossier.number)
    return _render_detail(request, dossier, propose_form=form)


def _reason_action(request: HttpRequest, number: str, prefix: str, service: Any, done: str) -> HttpResponse:
    dossier = _dossier(request, number)
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(dossier_id=dossier.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect("provider:dossier_detail", number=dossier.number)
    key = "refuse_form" if prefix == "refus" else "cancel_form"
    return _render_detail(request, dossier, **{key: form})


@provider_required
@require_POST
def dossier_refuse(request: HttpRequest, number: str) -> HttpResponse:
    return _reason_action(request, number, "refus", services.dossier_refuse, "Demande refusée.")


@provider_required
@require_POST
def dossier_cancel(request: HttpRequest, number: str) -> HttpResponse:
    return _reason_action(request, number, "annulation", services.dossier_provider_cancel, "Inscription annulée.")


@provider_required
@require_POST
def dossier_declare_entry(request: HttpRequest, number: str) -> HttpResponse:
    dossier = _dossier(request, number)
    try:
        services.dossier_declare_entry(dossier_id=dossier.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Entrée en formation déclarée.")
    return redirect("provider:dossier_detail", number=dossier.number)


@provider_required
@require_POST
def dossier_declare_exit(request: HttpRequest, number: str) -> HttpResponse:
    dossier = _dossier(request, number)
    form = ExitForm(request.POST, prefix="sortie", dossier=dossier)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.dossier_declare_exit(
                dossier_id=dossier.pk,
                actor=request.user,
                exit_date=data["exit_date"],
                hours_attended=data["hours_attended"],
                completion_rate_bp=data["completion_rate_bp"],
                reason=data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Sortie de formation déclarée : le service fait est déclaré.")
            return redirect("provider:dossier_detail", number=dossier.number)
    return _render_detail(request, dossier, exit_form=form)


@provider_required
def ratings(request: HttpRequest) -> HttpResponse:
    """The provider's ratings: averages of the provider and of each rated offer, published comments."""
    from opencpf.identity.models import ProviderMembership
    from opencpf.reviews import selectors as reviews

    membership = ProviderMembership.objects.filter(user_id=request.user.pk or 0).select_related("provider").first()
    if membership is None:
        raise Http404
    provider = membership.provider
    context = {
        "title": "Avis des stagiaires",
        "provider": provider,
        "summary": reviews.provider_summary(provider.pk),
        "offers": reviews.offer_summaries_of_provider(provider.pk),
        "comments": reviews.published_comments(provider_id=provider.pk),
    }
    return render(request, "provider/reviews/ratings.html", context)
