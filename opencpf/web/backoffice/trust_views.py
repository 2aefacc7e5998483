"""Agents: the alerts queue. Software raises suspicions; agents decide, with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from opencpf.core.exceptions import DomainError
from opencpf.trust.models import Alert, AlertStatus
from opencpf.trust.services import alert_decide
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
    return render(request, "backoffice/trust/alert.html", {"title": f"Alerte {item.pk}", "alert": item, "form": form})
