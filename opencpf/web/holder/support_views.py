from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.web import support_pages
from opencpf.web.access import holder_required

BASE, PREFIX = "holder/base.html", "/mon-compte/demandes/"


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/help.html", {"title": "Aide et contact"})


@holder_required
def tickets(request: HttpRequest) -> HttpResponse:
    return support_pages.ticket_list(request, base=BASE, url_prefix=PREFIX)


@holder_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    return support_pages.ticket_new(request, base=BASE, url_prefix=PREFIX)


@holder_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return support_pages.ticket_detail(request, number, base=BASE, url_prefix=PREFIX)


def report(request: HttpRequest) -> HttpResponse:
    return support_pages.report(request)
