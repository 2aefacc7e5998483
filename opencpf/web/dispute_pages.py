"""Dispute pages shared by the holders' site and the providers' portal (agents have their own)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opencpf.core.exceptions import DomainError
from opencpf.support import disputes, selectors
from opencpf.support.models import DisputeMessage, DisputeReason

FILE_HELP = "Facultatif. PDF, JPEG ou PNG, 5 Mo au plus."


class DisputeForm(forms.Form):
    dossier = forms.CharField(label="Numéro de dossier", max_length=16)
    reason = forms.ChoiceField(label="Motif", choices=[("", "Choisissez un motif"), *DisputeReason.choices])
    body = forms.CharField(label="Votre message", widget=forms.Textarea, max_length=5000)
    attachment = forms.FileField(label="Justificatif", required=False, help_text=FILE_HELP)


class DisputeMessageForm(forms.Form):
    body = forms.CharField(label="Votre message", widget=forms.Textarea, max_length=5000)
    attachment = forms.FileField(label="Justificatif", required=False, help_text=FILE_HELP)


def dispute_list(request: HttpRequest, *, base: str, url_prefix: str) -> HttpResponse:
    return render(
        request,
        "support/dispute_list.html",
        {
            "title": "Mes litiges",
            "base": base,
            "disputes": selectors.disputes_for(request.user),
            "url_prefix": url_prefix,
        },
    )


def dispute_new(request: HttpRequest, *, base: str, url_prefix: str) -> HttpResponse:
    form = DisputeForm(request.POST or None, request.FILES or None, initial={"dossier": request.GET.get("dossier", "")})
    if request.method == "POST" and form.is_valid():
        try:
            dispute = disputes.dispute_open(
                actor=request.user,
                dossier_number=form.cleaned_data["dossier"],
                reason=form.cleaned_data["reason"],
                body=form.cleaned_data["body"],
                upload=form.cleaned_data["attachment"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Le litige n° {dispute.reference} est ouvert ; l'autre partie est prévenue.")
            return redirect(f"{url_prefix}{dispute.reference}/")
    return render(
        request,
        "support/dispute_new.html",
        {"title": "Ouvrir un litige", "base": base, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def dispute_detail(request: HttpRequest, reference: str, *, base: str, url_prefix: str) -> HttpResponse:
    dispute = selectors.dispute_for(request.user, reference)
    if dispute is None:
        raise Http404
    form = DisputeMessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            disputes.dispute_post_message(
                dispute_id=dispute.pk,
                actor=request.user,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data["attachment"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Votre message a été envoyé.")
            return redirect(f"{url_prefix}{dispute.reference}/")
    return render(
        request,
        "support/dispute_detail.html",
        {
            "title": f"Litige {dispute.reference}",
            "base": base,
            "dispute": dispute,
            "form": form,
            "url_prefix": url_prefix,
        },
    )


def dispute_attachment(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    """A file of a dispute the caller may read (404 otherwise); served as an attachment with its sniffed type."""
    dispute = selectors.dispute_for(request.user, reference)
    message = (
        DisputeMessage.objects.filter(dispute=dispute, pk=message_id).exclude(attachment="").first()
        if dispute
        else None
    )
    if message is None:
        raise Http404
    response = FileResponse(
        message.attachment.open("rb"),
        as_attachment=True,
        filename=f"{dispute.reference}-{message.pk}.{message.attachment.name.rsplit('.', 1)[-1]}",  # type: ignore[union-attr]
        content_type=message.attachment_type,
    )
    return response  # type: ignore[return-value]
