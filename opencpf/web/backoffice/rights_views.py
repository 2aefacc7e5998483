"""Back-office pages of the rights domain: DIF claims review, top-ups entered by agents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.core.money import InvalidAmount, parse_eur
from opencpf.rights import selectors, services
from opencpf.rights.models import DifClaim, Funder
from opencpf.web.access import agent_required


@agent_required()
def dif_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/rights/dif_list.html",
        {"title": "Heures DIF à examiner", "claims": list(selectors.dif_claims_pending()[:200])},
    )


@agent_required()
def dif_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = DifClaim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise Http404
    audit_record(action="rights.dif.view", request=request, obj=claim)
    return render(request, "backoffice/rights/dif_detail.html", {"title": "Déclaration d'heures DIF", "claim": claim})


@agent_required()
def dif_proof(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = DifClaim.objects.filter(pk=claim_id).first()
    if claim is None or not claim.proof:
        raise Http404
    audit_record(action="rights.dif.proof_download", request=request, obj=claim)
    with claim.proof.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="justificatif-dif-{claim.pk}"'
    return response


@require_POST
@agent_required()
def dif_decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    reason = request.POST.get("reason", "").strip()
    if decision not in ("accept", "refuse") or (decision == "refuse" and not reason):
        messages.error(request, "Choisissez une décision ; un refus doit être motivé.")
        return redirect("backoffice:rights_dif_detail", claim_id=claim_id)
    try:
        claim = services.dif_claim_decide(
            claim_id=claim_id, agent=request.user, accept=decision == "accept", reason=reason
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:rights_dif_detail", claim_id=claim_id)
    messages.success(request, f"Déclaration {claim.get_status_display().lower()}.")
    return redirect("backoffice:rights_dif_list")


class TopupForm(forms.Form):
    funder = forms.ModelChoiceField(label="Financeur", queryset=Funder.objects.order_by("name"))
    nir = forms.CharField(label="Numéro de sécurité sociale du titulaire", max_length=21)
    birth_name = forms.CharField(label="Nom de naissance", max_length=150)
    amount = forms.CharField(label="Montant en euros", required=False, help_text="Exemple : 1 500,00")
    certification_code = forms.CharField(
        label="Certification fléchée (facultatif)", max_length=20, required=False, help_text="Exemple : RNCP35185"
    )
    corrective = forms.BooleanField(label="Abondement correctif (entretiens professionnels)", required=False)
    operation_ref = forms.CharField(
        label="Référence de l'opération",
        max_length=64,
        help_text="Une référence unique : la même ne crédite jamais deux fois",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name == "corrective":
                continue
            field.widget.attrs.setdefault("class", "fr-select" if name == "funder" else "fr-input")
        self.fields["nir"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("corrective"):
            try:
                data["amount_cents"] = parse_eur(data.get("amount") or "")
            except InvalidAmount as exc:
                self.add_error("amount", exc.message)
        else:
            data["amount_cents"] = None
        return data


@agent_required()
def topup_create(request: HttpRequest) -> HttpResponse:
    form = TopupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, created = services.topup_add(
                funder=data["funder"],
                nir=data["nir"],
                birth_name=data["birth_name"],
                amount_cents=data["amount_cents"],
                certification_code=data["certification_code"],
                corrective=data["corrective"],
                idempotency_key=f"bo:{data['operation_ref']}",
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Abondement enregistré." if created else "Cette opération avait déjà été enregistrée."
            )
            return redirect("backoffice:rights_topup")
    return render(
        request,
        "backoffice/rights/topup.html",
        {"title": "Saisir un abondement", "form": form},
        status=400 if request.method == "POST" and form.errors else 200,
    )
