"""Holder pages: my dossiers, a dossier with its timeline and actions, requesting a session, accepting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.catalogue.models import Session
from opencpf.core import clock
from opencpf.core.exceptions import DomainError
from opencpf.enrolment import deadlines, ports, selectors, services, transitions
from opencpf.enrolment.enums import AFTER_EXIT_STATES, Who
from opencpf.enrolment.exceptions import DossierNotFound
from opencpf.reviews.selectors import offer_summary, rating_of_dossier
from opencpf.web.access import holder_required, strong_session_required
from opencpf.web.enrolment_forms import OptionalReasonForm, RequestForm
from opencpf.web.reviews_forms import RatingForm


def _dossier(request: HttpRequest, number: str) -> Any:
    try:
        return selectors.dossier_for(request.user, number=number)
    except DossierNotFound:
        raise Http404


def _split(request: HttpRequest, training: Any, price_cents: int) -> tuple[Any, str]:
    try:
        return ports.quote_for(holder=request.user.holder, training=training, price_cents=price_cents), ""  # type: ignore[union-attr]
    except DomainError as exc:
        return None, exc.message


@holder_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    dossiers = selectors.dossiers_for_holder(request.user)
    return render(request, "holder/enrolment/list.html", {"title": "Mes dossiers de formation", "dossiers": dossiers})


@holder_required
def dossier_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render_detail(request, _dossier(request, number))


def render_detail(request: HttpRequest, dossier: Any, *, rating_form: Any = None, status: int = 200) -> HttpResponse:
    events = transitions.available_events(dossier, Who.HOLDER)
    free_cancel = "holder_cancel" in events and deadlines.is_free_cancellation(
        on=clock.today(), cooling_off_end=dossier.cooling_off_until, start_date=dossier.start_date
    )
    context = {
        "title": f"Dossier {dossier.number}",
        "free_cancel": free_cancel,
        "dossier": dossier,
        "timeline": selectors.timeline(dossier),
        "events": events,
        "reason_form": OptionalReasonForm(),
        "portal": "holder",
    }
    if dossier.state in AFTER_EXIT_STATES:
        context["rating"] = rating_of_dossier(dossier.pk)
        if context["rating"] is None:
            context["rating_form"] = rating_form or RatingForm()
    return render(request, "holder/enrolment/detail.html", context, status=status)


@holder_required
def session_request(request: HttpRequest, session_id: int) -> HttpResponse:
    session = (
        Session.objects.select_related("offer__training__provider", "offer__training__certification")
        .filter(pk=session_id, offer__is_published=True)
        .first()
    )
    if session is None:
        raise Http404
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.dossier_request(
                actor=request.user,
                session_id=session.pk,
                holder_message=form.cleaned_data["message"],
                client_token=form.cleaned_data["client_token"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Votre demande {dossier.number} a été envoyée à l'organisme.")
            return redirect("holder:dossier_detail", number=dossier.number)
    split, split_error = _split(request, session.offer.training, session.offer.price_incl_tax_cents)
    context = {
        "title": "Demander une inscription",
        "session": session,
        "offer": session.offer,
        "split": split,
        "split_error": split_error,
        "form": form,
        "summary": offer_summary(session.offer_id),
    }
    return render(request, "holder/enrolment/request.html", context)


@holder_required
@strong_session_required
def dossier_accept(request: HttpRequest, number: str) -> HttpResponse:
    dossier = _dossier(request, number)
    if request.method == "POST":
        try:
            services.dossier_accept(
                dossier_id=dossier.pk, actor=request.user, strong_session=ports.is_strong_session(request)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Proposition acceptée : votre inscription est validée.")
        return redirect("holder:dossier_detail", number=dossier.number)
    split, split_error = _split(request, dossier.training, dossier.price_cents)
    context = {"title": "Accepter la proposition", "dossier": dossier, "split": split, "split_error": split_error}
    return render(request, "holder/enrolment/accept.html", context)


_ACTIONS = {
    "retirer": (services.dossier_withdraw, "Votre demande est retirée."),
    "refuser": (services.dossier_decline, "Vous avez refusé la proposition."),
    "annuler": (services.dossier_holder_cancel, "Votre inscription est annulée."),
}


@holder_required
@require_POST
def dossier_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    dossier = _dossier(request, number)
    if action not in _ACTIONS:
        raise Http404
    service, done = _ACTIONS[action]
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service(dossier_id=dossier.pk, actor=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("holder:dossier_detail", number=dossier.number)


@holder_required
def message_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "holder/enrolment/messages.html",
        {"title": "Mes messages", "inbox": selectors.messages_for(request.user)},
    )
