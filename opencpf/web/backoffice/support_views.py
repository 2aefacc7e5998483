"""Agents: the support queue (priority, then age) and holders' reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from opencpf.core.exceptions import DomainError
from opencpf.support import selectors, services
from opencpf.support.models import Report, ReportStatus, Ticket, TicketStatus
from opencpf.web.access import agent_required
from opencpf.web.support_pages import ReplyForm


class TriageForm(forms.Form):
    status = forms.ChoiceField(label="Décision", choices=[(v, lbl) for v, lbl in ReportStatus.choices if v != "new"])
    note = forms.CharField(label="Motif de la décision", max_length=500, widget=forms.Textarea)


@agent_required("support.view_ticket")
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("etat") or None
    if status not in (None, *TicketStatus.values):
        status = None
    tickets = list(selectors.agent_queue(status=status)[:200])
    for t in tickets:
        t.age = selectors.age_label(t.created_at)  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/support/queue.html",
        {
            "title": "Demandes des usagers",
            "tickets": tickets,
            "status": status,
            "statuses": TicketStatus.choices,
        },
    )


@agent_required("support.view_ticket")
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    item = get_object_or_404(Ticket.objects.select_related("author").prefetch_related("messages"), number=number)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("support.change_ticket"):
            raise PermissionDenied("Votre rôle ne permet pas de répondre aux demandes.")
        try:
            if "close" in request.POST:
                services.ticket_close(ticket_id=item.pk, actor=request.user)
                messages.success(request, f"Demande {item.number} clôturée.")
                return redirect("backoffice:support_queue")
            if form.is_valid():
                services.ticket_reply(ticket_id=item.pk, author=request.user, body=form.cleaned_data["body"])
                messages.success(request, "Réponse envoyée ; l'usager est prévenu par courriel.")
                return redirect("backoffice:support_ticket", number=item.number)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request, "backoffice/support/ticket.html", {"title": f"Demande {item.number}", "ticket": item, "form": form}
    )


@agent_required("support.view_report")
def reports(request: HttpRequest) -> HttpResponse:
    items = Report.objects.select_related("provider").order_by("status", "-created_at")[:200]
    return render(request, "backoffice/support/reports.html", {"title": "Signalements", "reports": items})


@agent_required("support.view_report")
def report(request: HttpRequest, reference: str) -> HttpResponse:
    item = get_object_or_404(Report.objects.select_related("provider"), reference=reference)
    form = TriageForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("support.change_report"):
            raise PermissionDenied("Votre rôle ne permet pas de traiter les signalements.")
        if form.is_valid():
            services.report_triage(report_id=item.pk, agent=request.user, **form.cleaned_data)
            messages.success(request, f"Signalement {item.reference} traité.")
            return redirect("backoffice:support_reports")
    return render(
        request,
        "backoffice/support/report.html",
        {"title": f"Signalement {item.reference}", "report": item, "form": form},
    )
