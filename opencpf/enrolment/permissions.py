"""Which back-office agents may do what on dossiers.

Every agent reads dossiers (the read is audited). Cancelling one needs the `enrolment.cancel_dossier`
permission, granted to roles by `migrations/0002_role_permissions.py`; validating service done needs
`enrolment.validate_service_done` (case managers, controllers, administrators: `migrations/0005`).
"""

from __future__ import annotations

from typing import Any

from opencpf.identity.models import UserKind


def agent_may_cancel(user: Any) -> bool:
    if getattr(user, "kind", None) != UserKind.AGENT or not user.is_active:
        return False
    return bool(user.has_perm("enrolment.cancel_dossier"))


def agent_may_validate(user: Any) -> bool:
    if getattr(user, "kind", None) != UserKind.AGENT or not user.is_active:
        return False
    return bool(user.has_perm("enrolment.validate_service_done"))
