from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.web import dispute_pages, support_pages
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


DISPUTES = "/mon-compte/litiges/"


@holder_required
def disputes(request: HttpRequest) -> HttpResponse:
    return dispute_pages.dispute_list(request, base=BASE, url_prefix=DISPUTES)


@holder_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    return dispute_pages.dispute_new(request, base=BASE, url_prefix=DISPUTES)


@holder_required
def dispute_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return dispute_pages.dispute_detail(request, reference, base=BASE, url_prefix=DISPUTES)


@holder_required
def dispute_attachment(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    return dispute_pages.dispute_attachment(request, reference, message_id)
