"""Agents' roles are Django groups (their names and base permissions: `opencpf.identity.roles`). Each domain
grants its own permissions to them from a data migration (forward function named `seed`, idempotent) through
`grant_permissions`."""

from __future__ import annotations

from typing import Any


def grant_permissions(apps: Any, grants: dict[str, list[str]]) -> None:
    """grants: {"support": ["support.view_ticket", ...]}; groups are created if missing."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
