from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.web.access import provider_required


@provider_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "provider/home.html", {"title": "Espace organismes de formation"})
