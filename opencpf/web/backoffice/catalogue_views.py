"""Back-office: the referencing review queue, a provider's file, decisions and permission withdrawals."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.catalogue import selectors, services
from opencpf.catalogue.models import CertifierPermission, Offer, Provider, ProviderStatus
from opencpf.catalogue.services.referencing import available_events
from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.web.access import agent_required


class DecisionForm(forms.Form):
    event = forms.ChoiceField(label="Décision")
    reason = forms.CharField(
        label="Motif", widget=forms.Textarea, max_length=1000, help_text="Obligatoire, visible dans l'historique"
    )

    def __init__(self, *args, provider: Provider, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [(t.event, t.label) for t in available_events(provider)]  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Motif du retrait", max_length=500)


@agent_required()
def referencing_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut", ProviderStatus.PENDING)
    if status not in ProviderStatus.values and status != "":
        status = ProviderStatus.PENDING
    qs = selectors.referencing_queue(status=status, q=request.GET.get("q", "").strip())
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = [(p, selectors.deadline_state(p)) for p in page]
    return render(
        request,
        "backoffice/catalogue/referencing_queue.html",
        {
            "title": "Référencement des organismes",
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": ProviderStatus.choices,
            "q": request.GET.get("q", ""),
        },
    )


def _provider(provider_id: int) -> Provider:
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    return provider


@agent_required()
def referencing_detail(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider(provider_id)
    form = DecisionForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_decide(
                provider=provider,
                event=form.cleaned_data["event"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, "La décision est enregistrée.")
            return redirect("backoffice:referencing_detail", provider_id=provider.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    audit_record(action="catalogue.provider.view", request=request, obj=provider)
    return render(
        request,
        "backoffice/catalogue/referencing_detail.html",
        {
            "title": f"Référencement – {provider.name}",
            "provider": provider,
            "form": form,
            "deadline": selectors.deadline_state(provider),
            "qualiopi": provider.qualiopi_certificates.all(),
            "permissions": provider.permissions.select_related("certification", "certifier").order_by(
                "certification__code"
            ),
            "decisions": provider.referencing_decisions.select_related("decided_by")[:50],
            "offers_published": Offer.objects.filter(training__provider=provider, is_published=True).count(),
            "offers_total": Offer.objects.filter(training__provider=provider).count(),
            "withdraw_form": WithdrawForm(),
        },
    )


@agent_required()
@require_POST
def permission_withdraw(request: HttpRequest, permission_id: int) -> HttpResponse:
    permission = CertifierPermission.objects.filter(pk=permission_id).first()
    if permission is None:
        raise Http404
    form = WithdrawForm(request.POST)
    if form.is_valid():
        n = services.permission_withdraw(permission=permission, actor=request.user, reason=form.cleaned_data["reason"])
        audit_record(
            action="catalogue.permission.withdraw", request=request, obj=permission, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"Habilitation retirée : {n} offre(s) dépubliée(s).")
    else:
        messages.error(request, "Un motif est obligatoire pour retirer une habilitation.")
    return redirect("backoffice:referencing_detail", provider_id=permission.provider_id)
