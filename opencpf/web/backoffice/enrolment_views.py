"""Back-office pages: flagged dossiers, a dossier (read audited) with its timeline, cancellation with a reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.enrolment import selectors, services, transitions
from opencpf.enrolment.enums import Who
from opencpf.enrolment.exceptions import DossierNotFound
from opencpf.enrolment.permissions import agent_may_cancel, agent_may_validate
from opencpf.web.access import agent_required
from opencpf.web.enrolment_forms import ReasonForm


def _dossier(request: HttpRequest, number: str) -> Any:
    try:
        return selectors.dossier_for(request.user, number=number)
    except DossierNotFound:
        raise Http404


@agent_required()
def flagged(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("numero", "").strip()
    if number:
        return redirect("backoffice:dossier_detail", number=number)
    return render(
        request,
        "backoffice/enrolment/flagged.html",
        {"title": "Dossiers signalés", "dossiers": selectors.flagged_dossiers()[:200]},
    )


def _render(request: HttpRequest, dossier: Any, form: ReasonForm | None = None) -> HttpResponse:
    context = {
        "title": f"Dossier {dossier.number}",
        "dossier": dossier,
        "timeline": selectors.timeline(dossier),
        "events": transitions.available_events(dossier, Who.AGENT),
        "can_cancel": agent_may_cancel(request.user),
        "can_validate": agent_may_validate(request.user),
        "control_open": services.control_open(dossier),
        "cancel_form": form or ReasonForm(),
        "portal": "backoffice",
    }
    return render(request, "backoffice/enrolment/detail.html", context, status=400 if form else 200)


@agent_required()
def dossier_detail(request: HttpRequest, number: str) -> HttpResponse:
    dossier = _dossier(request, number)
    audit_record(action="enrolment.dossier.read", request=request, obj=dossier)
    return _render(request, dossier)


@agent_required()
@require_POST
def dossier_cancel(request: HttpRequest, number: str) -> HttpResponse:
    if not agent_may_cancel(request.user):
        raise PermissionDenied("Votre rôle ne permet pas d'annuler un dossier.")
    dossier = _dossier(request, number)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_agent_cancel(dossier_id=dossier.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Dossier {dossier.number} annulé.")
            return redirect("backoffice:dossier_detail", number=dossier.number)
    return _render(request, dossier, form)


@agent_required("enrolment.validate_service_done")
@require_POST
def dossier_validate(request: HttpRequest, number: str) -> HttpResponse:
    """An agent validates a declared service done (refused while a control is open)."""
    dossier = _dossier(request, number)
    try:
        services.dossier_agent_validate(dossier_id=dossier.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Service fait du dossier {dossier.number} validé.")
    return redirect("backoffice:dossier_detail", number=dossier.number)
