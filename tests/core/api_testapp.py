"""A tiny API mounted only in tests, to exercise the platform's API conventions on a POST that creates."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI, Schema, Status
from ninja.pagination import paginate

from opencpf.api.errors import install_error_handlers
from opencpf.api.pagination import PagePagination
from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.core.models import AuditEvent

api = NinjaAPI(urls_namespace="testapi", docs_url=None)
install_error_handlers(api)


class NoteIn(Schema):
    text: str


class NoteOut(Schema):
    id: int
    text: str


class Refused(DomainError):
    code = "note_refused"
    message = "Cette note est refusée."


@api.post("/notes", response={201: NoteOut})
def create_note(request: HttpRequest, payload: NoteIn):  # type: ignore[no-untyped-def]
    if payload.text == "refuse":
        raise Refused()
    if payload.text == "boom":
        raise RuntimeError("unexpected")
    event = audit_record(action="test.note", data={"text": payload.text})
    return Status(201, {"id": event.pk, "text": payload.text})


@api.get("/notes", response=list[NoteOut])
@paginate(PagePagination)
def list_notes(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [{"id": e.pk, "text": e.data["text"]} for e in AuditEvent.objects.filter(action="test.note").order_by("pk")]


urlpatterns = [path("api/v1/test/", api.urls)]
