from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from opencpf.web import support_pages
from opencpf.web.access import provider_required

BASE, PREFIX = "provider/base.html", "/organisme/aide/"


@provider_required
def tickets(request: HttpRequest) -> HttpResponse:
    return support_pages.ticket_list(request, base=BASE, url_prefix=PREFIX)


@provider_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    return support_pages.ticket_new(request, base=BASE, url_prefix=PREFIX)


@provider_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return support_pages.ticket_detail(request, number, base=BASE, url_prefix=PREFIX)
