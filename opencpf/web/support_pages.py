"""Help, contact and reports pages shared by the holders' site and the providers' portal."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opencpf.core.audit import client_ip
from opencpf.core.exceptions import DomainError
from opencpf.support import selectors, services
from opencpf.support.models import ReportKind, TicketCategory


class TicketForm(forms.Form):
    category = forms.ChoiceField(label="Sujet", choices=[("", "Choisissez un sujet"), *TicketCategory.choices])
    subject = forms.CharField(label="Objet", max_length=200)
    dossier_reference = forms.CharField(
        label="Numéro de dossier", max_length=32, required=False, help_text="Si votre question concerne un dossier"
    )
    body = forms.CharField(label="Votre message", widget=forms.Textarea, max_length=5000)


class ReplyForm(forms.Form):
    body = forms.CharField(label="Votre réponse", widget=forms.Textarea, max_length=5000)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="Que voulez-vous signaler ?", choices=[("", "Choisissez un motif"), *ReportKind.choices]
    )
    description = forms.CharField(
        label="Ce qui s'est passé",
        widget=forms.Textarea,
        max_length=5000,
        help_text="Qui vous a contacté, comment, ce qui vous a été demandé",
    )
    provider_name = forms.CharField(label="Nom de l'organisme ou de la société", max_length=250, required=False)
    provider_siret = forms.CharField(
        label="SIRET de l'organisme", max_length=17, required=False, help_text="14 chiffres, s'il vous est connu"
    )
    caller_phone = forms.CharField(
        label="Numéro de téléphone qui vous a contacté",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    dossier_reference = forms.CharField(label="Numéro de dossier", max_length=32, required=False)
    occurred_on = forms.DateField(
        label="Date des faits",
        required=False,
        help_text="Format attendu : JJ/MM/AAAA",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    reporter_email = forms.EmailField(
        label="Votre adresse électronique",
        required=False,
        help_text="Pour recevoir un accusé de réception",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def ticket_list(request: HttpRequest, *, base: str, url_prefix: str) -> HttpResponse:
    return render(
        request,
        "support/ticket_list.html",
        {
            "title": "Mes demandes",
            "base": base,
            "tickets": selectors.tickets_of(request.user),
            "url_prefix": url_prefix,
        },
    )


def ticket_new(request: HttpRequest, *, base: str, url_prefix: str) -> HttpResponse:
    form = TicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(author=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Votre demande n° {ticket.number} a bien été envoyée.")
            return redirect(f"{url_prefix}{ticket.number}/")
    return render(request, "support/ticket_new.html", {"title": "Nous contacter", "base": base, "form": form})


def ticket_detail(request: HttpRequest, number: str, *, base: str, url_prefix: str) -> HttpResponse:
    ticket = selectors.ticket_for(request.user, number)
    if ticket is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_reply(ticket_id=ticket.pk, author=request.user, body=form.cleaned_data["body"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Votre message a été envoyé.")
            return redirect(f"{url_prefix}{ticket.number}/")
    return render(
        request,
        "support/ticket_detail.html",
        {
            "title": f"Demande {ticket.number}",
            "base": base,
            "ticket": ticket,
            "form": form,
            "url_prefix": url_prefix,
        },
    )


def report(request: HttpRequest) -> HttpResponse:
    initial = {"reporter_email": request.user.email} if request.user.is_authenticated else {}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.report_submit(reporter=request.user, ip=client_ip(request), **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "support/report_done.html", {"title": "Signalement envoyé", "report": created})
    return render(
        request,
        "support/report_form.html",
        {"title": "Signaler une pratique abusive", "form": form},
        status=400 if request.method == "POST" else 200,
    )
