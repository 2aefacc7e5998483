"""Back-office: the dated parameters (amounts, caps, deadlines) agents may version."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opencpf.core.exceptions import DomainError
from opencpf.core.models import Parameter
from opencpf.core.params import parameter_set
from opencpf.core.selectors import parameters_by_key
from opencpf.web.access import agent_required


class ParameterVersionForm(forms.Form):
    key = forms.ChoiceField(label="Paramètre")
    effective_from = forms.DateField(
        label="En vigueur à partir du", help_text="Format attendu : JJ/MM/AAAA", input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    value = forms.IntegerField(
        label="Valeur",
        min_value=0,
        help_text="Entier : centimes pour un montant, jours pour un délai, points de base pour un taux",
    )
    reason = forms.CharField(label="Motif (texte officiel, décision)", max_length=300)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        keys = Parameter.objects.order_by("key").values_list("key", flat=True).distinct()
        self.fields["key"].choices = [(k, k) for k in keys]  # type: ignore[attr-defined]


@agent_required("core.view_parameter")
def parameters(request: HttpRequest) -> HttpResponse:
    form = ParameterVersionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("core.change_parameter"):
            raise PermissionDenied("Votre rôle ne permet pas de modifier les paramètres.")
        if form.is_valid():
            data = form.cleaned_data
            unit = Parameter.objects.filter(key=data["key"]).values_list("unit", flat=True).first() or ""
            try:
                parameter_set(
                    key=data["key"],
                    effective_from=data["effective_from"],
                    value=data["value"],
                    unit=unit,
                    actor=request.user,
                    reason=data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Nouvelle version de « {data['key']} » enregistrée.")
                return redirect("backoffice:parameters")
    return render(
        request,
        "backoffice/core/parameters.html",
        {"title": "Paramètres réglementaires", "rows": parameters_by_key(), "form": form},
    )
