from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.web.access import holder_required


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/home.html", {"title": "Accueil"})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/accessibility.html", {"title": "Déclaration d'accessibilité"})


def legal(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/legal.html", {"title": "Mentions légales et données personnelles"})


@holder_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/dashboard.html", {"title": "Mon compte", "holder": request.user.holder})  # type: ignore[union-attr]
