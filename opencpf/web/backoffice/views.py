from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.web.access import agent_required


@agent_required()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html", {"title": "Espace gestionnaires"})
