"""Agents: the alerts queue. Software raises suspicions; agents decide, with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from opencpf.core import clock
from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.core.money import parse_eur
from opencpf.trust.controls import control_decide, control_open, control_queue, sanction_apply
from opencpf.trust.models import Alert, AlertStatus, Control, ControlOutcome, ControlProof, SanctionKind
from opencpf.trust.rules import BLIND_SPOTS
from opencpf.trust.services import alert_action, alert_available_actions, alert_decide, alert_targets
from opencpf.web.access import agent_required


class DecisionForm(forms.Form):
    status = forms.ChoiceField(label="Décision", choices=[(v, lbl) for v, lbl in AlertStatus.choices if v != "new"])
    reason = forms.CharField(label="Motif", max_length=500, widget=forms.Textarea)


@agent_required("trust.view_alert")
def alerts(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("etat") or None
    qs = Alert.objects.all()
    qs = (
        qs.filter(status=status)
        if status in AlertStatus.values
        else qs.filter(status__in=[AlertStatus.NEW, AlertStatus.INVESTIGATING])
    )
    return render(
        request,
        "backoffice/trust/alerts.html",
        {
            "title": "Alertes",
            "alerts": qs.order_by("-score", "created_at")[:200],
            "status": status,
            "statuses": AlertStatus.choices,
        },
    )


@agent_required("trust.view_alert")
def alert(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Alert.objects.prefetch_related("events"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("trust.change_alert"):
            raise PermissionDenied("Votre rôle ne permet pas de trancher une alerte.")
        if form.is_valid():
            try:
                alert_decide(alert_id=item.pk, agent=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Décision enregistrée.")
                return redirect("backoffice:trust_alert", pk=item.pk)
    actions = alert_available_actions(item)
    return render(
        request,
        "backoffice/trust/alert.html",
        {
            "title": f"Alerte {item.pk}",
            "alert": item,
            "form": form,
            "action_form": ActionForm(actions=actions) if actions else None,
            "targets": alert_targets(item),
            "blind_spot": BLIND_SPOTS.get(item.rule, ""),
            "controls": item.controls.all(),
        },
    )


# --- actions from an alert ---------------------------------------------------------------------------------


class ActionForm(forms.Form):
    action = forms.ChoiceField(label="Action")
    reason = forms.CharField(label="Motif", max_length=500, widget=forms.Textarea)
    days = forms.IntegerField(label="Durée de suspension des achats (jours)", min_value=7, max_value=366, initial=30)

    def __init__(self, *args: Any, actions: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(actions.items())  # type: ignore[attr-defined]


@agent_required("trust.change_alert")
def alert_act(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Alert, pk=pk)
    form = ActionForm(request.POST or None, actions=alert_available_actions(item))
    if request.method == "POST" and form.is_valid():
        try:
            alert_action(alert_id=item.pk, agent=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Action enregistrée.")
    elif request.method == "POST":
        messages.error(request, "Choisissez une action et indiquez un motif.")
    return redirect("backoffice:trust_alert", pk=item.pk)


# --- controls ----------------------------------------------------------------------------------------------


class ControlOpenForm(forms.Form):
    reason = forms.CharField(label="Motif du contrôle", max_length=500)
    proofs_requested = forms.CharField(
        label="Justificatifs demandés",
        widget=forms.Textarea,
        initial="Feuilles d'émargement signées, attestations de réalisation, factures.",
    )
    dossiers = forms.CharField(
        label="Numéros de dossiers contrôlés (facultatif, séparés par des espaces)", required=False, max_length=2000
    )


@agent_required("trust.view_control")
def controls(request: HttpRequest) -> HttpResponse:
    qs = control_queue()
    return render(
        request,
        "backoffice/trust/controls.html",
        {"title": "Contrôles", "controls": qs[:300], "today": clock.today()},
    )


@agent_required("trust.add_control")
def control_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    from opencpf.catalogue.models import Provider
    from opencpf.enrolment.models import Dossier

    provider = get_object_or_404(Provider, pk=provider_id)
    alert_id = request.GET.get("alerte") or request.POST.get("alerte")
    alert_obj = Alert.objects.filter(pk=alert_id).first() if alert_id and str(alert_id).isdigit() else None
    form = ControlOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        numbers = form.cleaned_data["dossiers"].split()
        ids = list(Dossier.objects.filter(number__in=numbers, provider=provider).values_list("pk", flat=True))
        if len(ids) != len(set(numbers)):
            form.add_error("dossiers", "Un de ces dossiers n'existe pas ou concerne un autre organisme.")
        else:
            try:
                control = control_open(
                    provider_id=provider.pk,
                    agent=request.user,
                    reason=form.cleaned_data["reason"],
                    proofs_requested=form.cleaned_data["proofs_requested"],
                    dossier_ids=ids,
                    alert_id=alert_obj.pk if alert_obj else None,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Contrôle {control.reference} ouvert ; l'organisme est prévenu.")
                return redirect("backoffice:trust_control", pk=control.pk)
    return render(
        request,
        "backoffice/trust/control_new.html",
        {"title": f"Contrôler {provider.name}", "provider": provider, "form": form, "alert": alert_obj},
    )


class ControlDecideForm(forms.Form):
    outcome = forms.ChoiceField(label="Conclusion", choices=ControlOutcome.choices)
    reason = forms.CharField(label="Motif", max_length=1000, widget=forms.Textarea)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label="Sanction", choices=SanctionKind.choices)
    reason = forms.CharField(label="Motif", max_length=1000, widget=forms.Textarea)
    amount = forms.CharField(label="Montant à récupérer (récupération uniquement)", required=False, max_length=20)
    offers = forms.CharField(label="Identifiants des offres (déréférencement d'offres)", required=False, max_length=500)


@agent_required("trust.view_control")
def control(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Control.objects.select_related("provider", "opened_by", "alert").prefetch_related("dossiers", "proofs"), pk=pk
    )
    decide = ControlDecideForm(request.POST if request.POST.get("form") == "decide" else None, prefix="d")
    sanction = SanctionForm(request.POST if request.POST.get("form") == "sanction" else None, prefix="s")
    if request.method == "POST":
        if not request.user.has_perm("trust.decide_control"):
            raise PermissionDenied("Votre rôle ne permet pas de trancher un contrôle.")
        try:
            if decide.is_bound and decide.is_valid():
                control_decide(control_id=item.pk, agent=request.user, **decide.cleaned_data)
                messages.success(request, "Contrôle clos.")
                return redirect("backoffice:trust_control", pk=item.pk)
            if sanction.is_bound and sanction.is_valid():
                data = sanction.cleaned_data
                amount = parse_eur(data["amount"]) if data["amount"] else 0
                offer_ids = [int(x) for x in data["offers"].replace(",", " ").split() if x.isdigit()]
                sanction_apply(
                    provider_id=item.provider_id,
                    agent=request.user,
                    kind=data["kind"],
                    reason=data["reason"],
                    control_id=item.pk,
                    offer_ids=offer_ids,
                    amount_cents=amount,
                )
                messages.success(request, "Sanction prononcée ; l'organisme est prévenu.")
                return redirect("backoffice:trust_control", pk=item.pk)
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "Montant invalide."))
    return render(
        request,
        "backoffice/trust/control.html",
        {
            "title": f"Contrôle {item.reference}",
            "control": item,
            "decide": decide,
            "sanction": sanction,
            "sanctions": item.sanctions.all(),
        },
    )


@agent_required("trust.view_control")
def control_proof(request: HttpRequest, pk: int, proof_id: int) -> HttpResponse:
    proof = get_object_or_404(ControlProof, pk=proof_id, control_id=pk)
    audit_record(action="trust.proof_read", actor=request.user, obj=proof, request=request)
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        proof.file.open("rb"), content_type=proof.content_type, filename=proof.original_name
    )
    return response
