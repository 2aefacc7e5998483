"""Holder pages of the rights domain: balance and statement, printable statement, DIF declaration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opencpf.core import clock
from opencpf.core.exceptions import DomainError
from opencpf.core.params import param
from opencpf.core.uploads import InvalidUpload, check_document
from opencpf.rights import selectors, services
from opencpf.rights.enums import DifStatus
from opencpf.web.access import holder_required

MAX_PROOF_BYTES = 5 * 1024 * 1024


class DifForm(forms.Form):
    hours = forms.IntegerField(
        label="Nombre d'heures DIF", min_value=1, max_value=services.MAX_DIF_DECLARED_HOURS, help_text="Exemple : 120"
    )
    proof = forms.FileField(label="Justificatif", help_text="PDF, JPEG ou PNG, 5 Mo au plus")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].widget.attrs.update({"class": "fr-input", "inputmode": "numeric", "autocomplete": "off"})
        self.fields["proof"].widget.attrs.update({"class": "fr-upload", "accept": ".pdf,.jpg,.jpeg,.png"})

    def clean_proof(self) -> Any:
        proof = self.cleaned_data["proof"]
        try:
            check_document(proof, max_bytes=MAX_PROOF_BYTES)
        except InvalidUpload as exc:
            raise forms.ValidationError(exc.message) from exc
        return proof


@holder_required
def statement(request: HttpRequest) -> HttpResponse:
    nir_hash = request.user.holder.nir_hash  # type: ignore[union-attr]
    return render(
        request,
        "holder/rights/statement.html",
        {
            "title": "Mes droits",
            "balances": selectors.balances(nir_hash=nir_hash),
            "lines": list(reversed(selectors.statement(nir_hash=nir_hash))),
        },
    )


@holder_required
def printable(request: HttpRequest) -> HttpResponse:
    holder = request.user.holder  # type: ignore[union-attr]
    return render(
        request,
        "holder/rights/printable.html",
        {
            "holder": holder,
            "today": clock.today(),
            "balances": selectors.balances(nir_hash=holder.nir_hash),
            "lines": selectors.statement(nir_hash=holder.nir_hash),
        },
    )


@holder_required
def dif(request: HttpRequest) -> HttpResponse:
    nir_hash = request.user.holder.nir_hash  # type: ignore[union-attr]
    claim = selectors.dif_claim_for(nir_hash=nir_hash)
    can_declare = claim is None or claim.status == DifStatus.REFUSED
    form = DifForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and can_declare and form.is_valid():
        try:
            services.dif_claim_submit(
                nir_hash=nir_hash, hours=form.cleaned_data["hours"], proof=form.cleaned_data["proof"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Votre déclaration d'heures DIF a été envoyée. Un gestionnaire va l'examiner.")
            return redirect("holder:rights_dif")
    today = clock.today()
    return render(
        request,
        "holder/rights/dif.html",
        {
            "title": "Mes heures DIF",
            "form": form,
            "claim": claim,
            "can_declare": can_declare,
            "hour_value": param("dif_hour_value_cents", on=today),
            "max_hours": param("dif_max_hours", on=today),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )
