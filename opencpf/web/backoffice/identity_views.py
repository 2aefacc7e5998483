"""Agents read a holder's personal data: a reason is asked, and every read is audited."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencpf.core.exceptions import DomainError
from opencpf.identity.models import Holder, User, UserKind
from opencpf.identity.roles import ROLE_LABELS
from opencpf.identity.services import agent_deactivate, agent_invite, holder_read_audited
from opencpf.web.access import agent_required


@agent_required("identity.view_holder_personal_data")
def holder_detail(request: HttpRequest, holder_id: int) -> HttpResponse:
    holder = get_object_or_404(Holder.objects.select_related("user"), pk=holder_id)
    data, error = None, ""
    if request.method == "POST":
        try:
            data = holder_read_audited(
                agent=request.user,  # type: ignore[arg-type]
                holder=holder,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            error = exc.message
    return render(
        request,
        "backoffice/identity/holder.html",
        {"title": "Titulaire", "holder_id": holder.pk, "data": data, "error": error},
    )


class AgentForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique", help_text="Format attendu : nom@domaine.fr")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    role = forms.ChoiceField(label="Rôle", choices=list(ROLE_LABELS.items()))


@agent_required("identity.manage_agents")
def agents(request: HttpRequest) -> HttpResponse:
    form = AgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agent_invite(
                by=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                invite_url=request.build_absolute_uri(reverse("backoffice:invitation", args=["UID", "TOKEN"]))
                .replace("UID", "{uidb64}")
                .replace("TOKEN", "{token}"),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Le compte du gestionnaire est enregistré.")
            return redirect("backoffice:agents")
    people = User.objects.filter(kind=UserKind.AGENT).prefetch_related("groups").order_by("email")
    rows = [(a, ", ".join(ROLE_LABELS.get(g.name, g.name) for g in a.groups.all())) for a in people]
    return render(request, "backoffice/identity/agents.html", {"title": "Gestionnaires", "rows": rows, "form": form})


@agent_required("identity.manage_agents")
@require_POST
def agent_deactivate_view(request: HttpRequest, agent_id: int) -> HttpResponse:
    try:
        agent_deactivate(by=request.user, agent_id=agent_id)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "Le compte a été désactivé.")
    return redirect("backoffice:agents")


invitation = auth_views.PasswordResetConfirmView.as_view(
    template_name="backoffice/identity/form.html",
    success_url="/gestion/connexion/",
    extra_context={"title": "Choisir mon mot de passe", "submit": "Enregistrer"},
)
