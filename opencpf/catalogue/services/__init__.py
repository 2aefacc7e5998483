"""Catalogue writes: offers and sessions, referencing, API keys (see the submodules)."""

from opencpf.catalogue.services.offers import (
    certification_by_code,
    offer_change_record,
    offer_create,
    offer_duplicate,
    offer_publish,
    offer_unpublish,
    offer_update,
    offers_unpublish_where,
    session_create,
    session_duplicate,
    session_update,
)
from opencpf.catalogue.services.referencing import (
    PermissionInput,
    offers_enforce_compliance,
    permission_grant,
    permission_withdraw,
    provider_apply,
    provider_decide,
    qualiopi_record,
)

__all__ = [
    "PermissionInput",
    "certification_by_code",
    "offer_change_record",
    "offer_create",
    "offer_duplicate",
    "offer_publish",
    "offer_unpublish",
    "offer_update",
    "offers_enforce_compliance",
    "offers_unpublish_where",
    "permission_grant",
    "permission_withdraw",
    "provider_apply",
    "provider_decide",
    "qualiopi_record",
    "session_create",
    "session_duplicate",
    "session_update",
]
