"""Provider pages: payments (due, held with reasons, paid), printable remittance advices, bank details."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opencpf.core import clock
from opencpf.core.exceptions import DomainError
from opencpf.identity.selectors import provider_for_user
from opencpf.identity.strong import is_strong_session
from opencpf.payments import bank_details, selectors
from opencpf.web.access import provider_required


def _provider(request: HttpRequest):  # type: ignore[no-untyped-def]
    provider = provider_for_user(request.user)
    if provider is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucun organisme.")
    return provider


@provider_required
def payments(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    return render(
        request,
        "provider/payments/payments.html",
        {"title": "Paiements", "provider": provider, "summary": selectors.provider_payments(provider)},
    )


@provider_required
def payment_advice(request: HttpRequest, line_id: int) -> HttpResponse:
    provider = _provider(request)
    line = selectors.provider_payment_line(provider, line_id)
    if line is None:
        raise Http404
    items = sorted(line.items.all(), key=lambda i: (i.dossier.number, i.kind))
    deductions = list(line.deductions.all())
    return render(
        request,
        "provider/payments/advice.html",
        {
            "title": f"Avis de paiement {line.end_to_end_id}",
            "provider": provider,
            "line": line,
            "items": items,
            "deductions": deductions,
            "today": clock.today(),
        },
    )


class BankDetailsForm(forms.Form):
    iban = forms.CharField(label="IBAN", max_length=42, help_text="Exemple : FR76 3000 6000 0112 3456 7890 189")
    bic = forms.CharField(label="BIC", max_length=11, help_text="8 ou 11 caractères, par exemple AGRIFRPP")
    account_holder = forms.CharField(label="Titulaire du compte", max_length=140)


@provider_required
def bank_details_page(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    form = BankDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bank_details.bank_details_request_change(
                provider=provider,
                iban=form.cleaned_data["iban"],
                bic=form.cleaned_data["bic"],
                account_holder=form.cleaned_data["account_holder"],
                requested_by=request.user,
                strong_session=is_strong_session(request),
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Votre demande est enregistrée. Elle sera examinée par nos services avant d'entrer en vigueur."
            )
            return redirect("provider:bank_details")
    return render(
        request,
        "provider/payments/bank_details.html",
        {
            "title": "Coordonnées bancaires",
            "provider": provider,
            "current": selectors.current_bank_account(provider),
            "pending": selectors.pending_bank_change(provider),
            "held_reason": bank_details.payments_held_reason(provider),
            "strong": is_strong_session(request),
            "form": form,
        },
    )
