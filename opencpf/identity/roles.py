"""Back-office roles (Django groups) and the permissions each one holds."""

from __future__ import annotations

SUPPORT = "support"
CASE_MANAGER = "case_manager"
CONTROLLER = "controller"
PAYMENT_OFFICER = "payment_officer"
FRAUD_ANALYST = "fraud_analyst"
ADMINISTRATOR = "administrator"

ROLE_LABELS = {
    SUPPORT: "Support",
    CASE_MANAGER: "Gestionnaire de dossiers",
    CONTROLLER: "Contrôleur",
    PAYMENT_OFFICER: "Agent de paiement",
    FRAUD_ANALYST: "Analyste fraude",
    ADMINISTRATOR: "Administrateur",
}

_READ_HOLDERS = ["identity.view_holder", "identity.view_holder_personal_data"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    SUPPORT: [*_READ_HOLDERS],
    CASE_MANAGER: [*_READ_HOLDERS, "catalogue.view_provider"],
    CONTROLLER: [*_READ_HOLDERS, "catalogue.view_provider", "core.view_auditevent"],
    PAYMENT_OFFICER: ["identity.view_holder", "catalogue.view_provider"],
    FRAUD_ANALYST: [*_READ_HOLDERS, "catalogue.view_provider", "core.view_auditevent"],
    ADMINISTRATOR: [
        *_READ_HOLDERS,
        "identity.manage_agents",
        "identity.view_user",
        "identity.view_providermembership",
        "catalogue.view_provider",
        "core.view_auditevent",
    ],
}
