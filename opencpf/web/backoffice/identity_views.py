"""Agents read a holder's personal data: a reason is asked, and every read is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from opencpf.core.exceptions import DomainError
from opencpf.identity.models import Holder
from opencpf.identity.services import holder_read_audited
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
