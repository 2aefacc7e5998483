"""Providers' staff: the controls of their organisation, and their answer with proofs."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opencpf.core.exceptions import DomainError
from opencpf.identity.selectors import scope_to_provider
from opencpf.trust.controls import control_answer
from opencpf.trust.models import Control, ControlStatus, ProofKind
from opencpf.web.access import get_for_provider_or_404, provider_required


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Votre réponse", widget=forms.Textarea, required=False, max_length=5000)
    kind = forms.ChoiceField(label="Type des justificatifs", choices=ProofKind.choices)
    proofs = forms.FileField(
        label="Justificatifs",
        required=False,
        help_text="PDF, JPEG ou PNG, 10 Mo au plus par fichier, 10 fichiers au plus",
        widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["proofs"].widget.attrs.update(
            {"class": "fr-upload", "accept": ".pdf,.jpg,.jpeg,.png", "multiple": True}
        )


@provider_required
def controls(request: HttpRequest) -> HttpResponse:
    qs = scope_to_provider(Control.objects.select_related("provider"), request.user).order_by("-opened_at")
    return render(request, "provider/trust/controls.html", {"title": "Contrôles", "controls": qs[:200]})


@provider_required
def control(request: HttpRequest, reference: str) -> HttpResponse:
    item = get_for_provider_or_404(
        request, Control.objects.select_related("provider").prefetch_related("dossiers", "proofs"), reference=reference
    )
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = request.FILES.getlist("proofs")
        try:
            control_answer(
                control_id=item.pk,
                user=request.user,
                answer=form.cleaned_data["answer"],
                proofs=[(form.cleaned_data["kind"], f) for f in files],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Réponse envoyée. Le contrôleur vous informera de sa décision par courriel.")
            return redirect("provider:trust_control", reference=item.reference)
    return render(
        request,
        "provider/trust/control.html",
        {
            "title": f"Contrôle {item.reference}",
            "control": item,
            "form": form,
            "open": item.status != ControlStatus.CLOSED,
        },
    )
