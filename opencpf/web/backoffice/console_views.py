"""The agents' console: audited holder search (POST, never a NIR in a URL), a holder's and a provider's file,
rights adjustments (two-person rule) and disputes."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.core.money import parse_eur
from opencpf.identity.models import Holder
from opencpf.identity.services import holder_read_audited
from opencpf.rights import adjustments as rights_adjustments
from opencpf.rights.enums import AccountKind, AdjustmentStatus
from opencpf.rights.models import Adjustment
from opencpf.support import console, disputes, selectors
from opencpf.support.models import DisputeStatus
from opencpf.web import dispute_pages
from opencpf.web.access import agent_required

SESSION_REASONS = "console_reasons"  # holder id -> the reason given for looking them up (this session)


class SearchForm(forms.Form):
    kind = forms.ChoiceField(label="Rechercher par", choices=list(console.SEARCH_KINDS.items()))
    query = forms.CharField(label="Recherche", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    reason = forms.CharField(
        label="Motif de la recherche",
        max_length=300,
        help_text="Enregistré dans le journal d'audit. Par exemple : demande DA-26-0000123",
    )


class ReasonOnlyForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la consultation", max_length=300, help_text="Enregistré dans le journal d'audit"
    )


class AdjustmentForm(forms.Form):
    account_kind = forms.ChoiceField(
        label="Compte", choices=[(AccountKind.RIGHTS.value, "Droits CPF"), (AccountKind.DIF.value, "Heures DIF")]
    )
    direction = forms.ChoiceField(label="Sens", choices=[("credit", "Ajouter"), ("debit", "Retirer")])
    amount = forms.CharField(label="Montant en euros", max_length=20, help_text="Par exemple : 150,00")
    reason = forms.CharField(label="Motif", max_length=500)

    def clean_amount(self) -> int:
        try:
            cents = parse_eur(self.cleaned_data["amount"])
        except (DomainError, ValueError) as exc:
            raise forms.ValidationError("Saisissez un montant en euros, par exemple 150,00.") from exc
        if cents <= 0:
            raise forms.ValidationError("Le montant doit être positif.")
        return int(cents)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        label="Décision",
        choices=[
            ("hold", "Suspendre le paiement de l'organisme"),
            ("release", "Débloquer le paiement de l'organisme"),
            ("refund", "Rembourser des droits au titulaire"),
            ("cancel", "Annuler le dossier"),
            ("review", "Clore les échanges (examen)"),
            ("close", "Clôturer le litige"),
        ],
    )
    amount = forms.CharField(label="Montant à rembourser en euros", max_length=20, required=False)
    note = forms.CharField(label="Motif (communiqué aux deux parties)", max_length=500)
    # One token per displayed form: submitting the same form twice records one decision (no double refund).
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


def _reasons(request: HttpRequest) -> dict[str, str]:
    return dict(request.session.get(SESSION_REASONS, {}))


def _remember(request: HttpRequest, holder_ids: list[int], reason: str) -> None:
    reasons = _reasons(request)
    reasons.update({str(pk): reason for pk in holder_ids})
    request.session[SESSION_REASONS] = dict(list(reasons.items())[-200:])


@agent_required("support.search_holders")
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.POST or None)
    results: list[Holder] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            results = console.holder_search(agent=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            _remember(request, [h.pk for h in results], form.cleaned_data["reason"])
    if request.method == "POST":
        # Never write the typed NIR (or name) back into the page.
        data = request.POST.copy()
        data["query"] = ""
        form.data = data
    rows = [(h, console.masked_name(h)) for h in results or []]
    return render(
        request,
        "backoffice/console/search.html",
        {"title": "Rechercher un titulaire", "form": form, "results": results, "rows": rows},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@agent_required("identity.view_holder")
def holder(request: HttpRequest, holder_id: int) -> HttpResponse:
    holder_row = get_object_or_404(Holder, pk=holder_id)
    reason = _reasons(request).get(str(holder_id))
    identity, error = None, ""
    if request.method == "POST" and request.POST.get("action") == "reason":
        form = ReasonOnlyForm(request.POST)
        if form.is_valid() and len(form.cleaned_data["reason"].strip()) >= 5:
            reason = form.cleaned_data["reason"].strip()
            _remember(request, [holder_id], reason)
        else:
            error = "Indiquez le motif de la consultation (au moins 5 caractères)."
    if not reason:
        return render(
            request,
            "backoffice/console/reason.html",
            {"title": "Motif de la consultation", "form": ReasonOnlyForm(), "error": error},
            status=400 if error else 200,
        )
    if request.method == "POST" and request.POST.get("action") == "show":
        try:
            identity = holder_read_audited(
                agent=request.user,  # type: ignore[arg-type]
                holder=holder_row,
                reason=request.POST.get("show_reason", "") or reason,
                request=request,
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            error = exc.message
    audit_record(action="support.console.holder_viewed", request=request, obj=holder_row, reason=reason)
    data = console.holder_file(holder_id=holder_id, user=request.user)
    return render(
        request,
        "backoffice/console/holder.html",
        {
            "title": "Dossier du titulaire",
            "file": data,
            "identity": identity,
            "error": error,
            "reason": reason,
            "adjustment_form": AdjustmentForm(),
        },
    )


@agent_required("rights.propose_adjustment")
@require_POST
def adjustment_propose(request: HttpRequest, holder_id: int) -> HttpResponse:
    holder_row = get_object_or_404(Holder, pk=holder_id)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        amount = form.cleaned_data["amount"] * (-1 if form.cleaned_data["direction"] == "debit" else 1)
        try:
            rights_adjustments.adjustment_propose(
                holder=holder_row,
                agent=request.user,
                account_kind=form.cleaned_data["account_kind"],
                amount_cents=amount,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Régularisation proposée : un autre gestionnaire doit l'approuver.")
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("backoffice:console_holder", holder_id=holder_id)


@agent_required("rights.view_adjustment")
def adjustments(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("etat") or AdjustmentStatus.PENDING
    if status not in AdjustmentStatus.values:
        status = AdjustmentStatus.PENDING
    rows = Adjustment.objects.filter(status=status).select_related("holder", "proposed_by", "decided_by")[:200]
    return render(
        request,
        "backoffice/console/adjustments.html",
        {
            "title": "Régularisations de droits",
            "rows": [(a, console.masked_name(a.holder)) for a in rows],
            "status": status,
            "statuses": AdjustmentStatus.choices,
        },
    )


@agent_required("rights.approve_adjustment")
@require_POST
def adjustment_decide(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    try:
        rights_adjustments.adjustment_decide(
            adjustment_id=adjustment_id,
            agent=request.user,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "Décision enregistrée.")
    return redirect("backoffice:adjustments")


@agent_required("catalogue.view_provider")
def provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    data = console.provider_file(provider_id=provider_id, user=request.user)
    if data is None:
        raise Http404
    audit_record(action="support.console.provider_viewed", request=request, obj=data.provider)
    return render(request, "backoffice/console/provider.html", {"title": data.provider.name, "file": data})


@agent_required("support.view_dispute")
def dispute_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("etat") or None
    if status not in (None, *DisputeStatus.values):
        status = None
    return render(
        request,
        "backoffice/disputes/queue.html",
        {
            "title": "Litiges",
            "disputes": list(selectors.dispute_queue(status=status)[:200]),
            "status": status,
            "statuses": DisputeStatus.choices,
        },
    )


@agent_required("support.view_dispute")
def dispute(request: HttpRequest, reference: str) -> HttpResponse:
    item = selectors.dispute_for(request.user, reference)
    if item is None:
        raise Http404
    message_form = dispute_pages.DisputeMessageForm()
    decision_form = DecisionForm(initial={"token": uuid.uuid4().hex})
    if request.method == "POST":
        if not request.user.has_perm("support.decide_dispute"):
            raise PermissionDenied("Votre rôle ne permet pas d'agir sur un litige.")
        try:
            if request.POST.get("form") == "message":
                message_form = dispute_pages.DisputeMessageForm(request.POST, request.FILES)
                if message_form.is_valid():
                    disputes.dispute_post_message(
                        dispute_id=item.pk,
                        actor=request.user,
                        body=message_form.cleaned_data["body"],
                        upload=message_form.cleaned_data["attachment"],
                    )
                    messages.success(request, "Message envoyé aux deux parties.")
                    return redirect("backoffice:dispute", reference=item.reference)
            else:
                decision_form = DecisionForm(request.POST)
                if decision_form.is_valid():
                    amount = _amount(decision_form)
                    if amount is not False:
                        disputes.dispute_decide(
                            dispute_id=item.pk,
                            agent=request.user,
                            action=decision_form.cleaned_data["action"],
                            note=decision_form.cleaned_data["note"],
                            amount_cents=amount,
                            decision_token=decision_form.cleaned_data["token"],
                        )
                        messages.success(request, "Décision enregistrée ; les deux parties sont prévenues.")
                        return redirect("backoffice:dispute", reference=item.reference)
        except DomainError as exc:
            (message_form if request.POST.get("form") == "message" else decision_form).add_error(None, exc.message)
    audit_record(action="support.dispute.read", request=request, obj=item)
    return render(
        request,
        "backoffice/disputes/detail.html",
        {
            "title": f"Litige {item.reference}",
            "dispute": item,
            "message_form": message_form,
            "decision_form": decision_form,
            "can_decide": request.user.has_perm("support.decide_dispute"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _amount(form: DecisionForm) -> Any:
    raw = form.cleaned_data.get("amount") or ""
    if form.cleaned_data["action"] != "refund":
        return None
    try:
        return int(parse_eur(raw))
    except (DomainError, ValueError):
        form.add_error("amount", "Saisissez le montant à rembourser, par exemple 150,00.")
        return False


@agent_required("support.view_dispute")
def dispute_attachment(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    response = dispute_pages.dispute_attachment(request, reference, message_id)
    audit_record(
        action="support.dispute.file_read", request=request, object_type="support.disputemessage", object_id=message_id
    )
    return response
