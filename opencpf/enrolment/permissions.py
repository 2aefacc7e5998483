"""Which back-office roles may do what on dossiers.

Every agent reads dossiers (the read is audited). Cancelling one needs the `enrolment.cancel_dossier`
permission, which case managers and fraud analysts hold through their role. The role list lives here rather
than in identity's groups because identity pins each group's permissions exactly (tests/identity/test_staff.py).
"""

from __future__ import annotations

from typing import Any

from opencpf.identity import roles
from opencpf.identity.models import UserKind

CANCEL_ROLES = (roles.CASE_MANAGER, roles.FRAUD_ANALYST)


def agent_may_cancel(user: Any) -> bool:
    if getattr(user, "kind", None) != UserKind.AGENT or not user.is_active:
        return False
    return bool(user.has_perm("enrolment.cancel_dossier") or user.groups.filter(name__in=CANCEL_ROLES).exists())
