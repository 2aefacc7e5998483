"""States, events and actors of the enrolment dossier."""

from __future__ import annotations

from django.db import models


class DossierState(models.TextChoices):
    """Provider-side (EDOF-like) names as values; the labels are what the provider sees."""

    NOT_PROCESSED = "notProcessed", "À traiter"
    VALIDATED = "validated", "Proposition envoyée"
    ACCEPTED = "accepted", "Acceptée par le titulaire"
    IN_TRAINING = "inTraining", "En formation"
    TERMINATED = "terminated", "Sortie de formation"
    SERVICE_DONE_DECLARED = "serviceDoneDeclared", "Service fait déclaré"
    SERVICE_DONE_VALIDATED = "serviceDoneValidated", "Service fait validé"
    CANCELED_BY_ATTENDEE = "canceledByAttendee", "Annulé par le titulaire"
    CANCELED_BY_ATTENDEE_NOT_REALIZED = "canceledByAttendeeNotRealized", "Annulé par le titulaire (non réalisé)"
    CANCELED_BY_ORGANISM = "canceledByOrganism", "Annulé par l'organisme"
    REJECTED_WITHOUT_TITULAIRE_SUITE = "rejectedWithoutTitulaireSuite", "Sans suite du titulaire"
    REFUSED_BY_ATTENDEE = "refusedByAttendee", "Refusé par le titulaire"
    REFUSED_BY_ORGANISM = "refusedByOrganism", "Refusé par l'organisme"


# What the holder reads for each state (cpf-rules.md, holder-facing statuses).
HOLDER_LABELS: dict[str, str] = {
    DossierState.NOT_PROCESSED: "Demande d'inscription",
    DossierState.VALIDATED: "Proposition de l'organisme",
    DossierState.ACCEPTED: "Validé",
    DossierState.IN_TRAINING: "En formation",
    DossierState.TERMINATED: "Formation terminée",
    DossierState.SERVICE_DONE_DECLARED: "Service fait déclaré",
    DossierState.SERVICE_DONE_VALIDATED: "Service fait validé",
    DossierState.CANCELED_BY_ATTENDEE: "Annulé (titulaire)",
    DossierState.CANCELED_BY_ATTENDEE_NOT_REALIZED: "Annulé (titulaire)",
    DossierState.CANCELED_BY_ORGANISM: "Annulé (organisme)",
    DossierState.REJECTED_WITHOUT_TITULAIRE_SUITE: "Annulé (sans suite)",
    DossierState.REFUSED_BY_ATTENDEE: "Annulé (titulaire)",
    DossierState.REFUSED_BY_ORGANISM: "Refusé par l'organisme",
}

OPEN_STATES = (DossierState.NOT_PROCESSED, DossierState.VALIDATED)
# From the exit declaration on: the holder may rate the training.
AFTER_EXIT_STATES = (DossierState.SERVICE_DONE_DECLARED, DossierState.SERVICE_DONE_VALIDATED)
ACTIVE_STATES = (DossierState.NOT_PROCESSED, DossierState.VALIDATED, DossierState.ACCEPTED, DossierState.IN_TRAINING)


class BillingState(models.TextChoices):
    NOT_BILLABLE = "notBillable", "Non facturable"
    DEPOSIT_WAIT = "depositWait", "Avance en attente"
    DEPOSIT_PAID = "depositPaid", "Avance versée"
    TO_BILL = "toBill", "À facturer"
    BILLED = "billed", "Facturé"
    PAID = "paid", "Payé"


class ControlState(models.TextChoices):
    NOT_IN_CONTROL = "notInControl", "Hors contrôle"
    IN_CONTROL = "inControl", "En contrôle"
    RELEASED = "released", "Contrôle levé"


class Event(models.TextChoices):
    REQUEST = "request", "Demande d'inscription"
    WITHDRAW = "withdraw", "Retrait de la demande par le titulaire"
    PROPOSE = "propose", "Proposition de l'organisme"
    REFUSE = "refuse", "Refus de l'organisme"
    EXPIRE_ANSWER = "expire_answer", "Absence de réponse de l'organisme dans le délai"
    ACCEPT = "accept", "Acceptation par le titulaire"
    DECLINE = "decline", "Refus de la proposition par le titulaire"
    EXPIRE_ACCEPTANCE = "expire_acceptance", "Absence d'acceptation dans le délai"
    HOLDER_CANCEL = "holder_cancel", "Annulation par le titulaire"
    PROVIDER_CANCEL = "provider_cancel", "Annulation par l'organisme"
    AGENT_CANCEL = "agent_cancel", "Annulation par un gestionnaire"
    DECLARE_ENTRY = "declare_entry", "Déclaration d'entrée en formation"
    FLAG_MISSING_ENTRY = "flag_missing_entry", "Entrée en formation non déclarée dans le délai"
    DECLARE_EXIT = "declare_exit", "Déclaration de sortie (service fait déclaré)"
    FLAG_MISSING_EXIT = "flag_missing_exit", "Sortie de formation non déclarée dans le délai"
    HOLDER_CONFIRM = "holder_confirm", "Service fait confirmé par l'évaluation du titulaire"
    AUTO_VALIDATE = "auto_validate", "Service fait validé automatiquement"
    AGENT_VALIDATE = "agent_validate", "Service fait validé par un gestionnaire"


class Who(models.TextChoices):
    HOLDER = "holder", "Titulaire"
    PROVIDER = "provider", "Organisme"
    AGENT = "agent", "Gestionnaire"
    SYSTEM = "system", "Système"


class DeadlineKind(models.TextChoices):
    NONE = "", "Aucune"
    PROVIDER_ANSWER = "provider_answer", "Réponse de l'organisme"
    HOLDER_ACCEPTANCE = "holder_acceptance", "Acceptation du titulaire"
    ENTRY_DECLARATION = "entry_declaration", "Déclaration d'entrée"
    EXIT_DECLARATION = "exit_declaration", "Déclaration de sortie"
    SERVICE_VALIDATION = "service_validation", "Validation du service fait"


class CancellationOutcome(models.TextChoices):
    NONE = "", "—"
    NOTHING_RESERVED = "nothing_reserved", "Aucun montant engagé"
    FULL_RELEASE = "full_release", "Droits intégralement restitués"
    FORFEIT = "forfeit", "Droits perdus et dédommagement de l'organisme"


class ExitReasonChoice(models.TextChoices):
    """The values of `payments.amounts.ExitReason` a provider may declare at exit (late cancellation is not an exit)."""

    COMPLETED = "completed", "Formation suivie en totalité"
    FORCE_MAJEURE = "force_majeure", "Force majeure"
    ABANDONMENT = "abandonment", "Abandon ou absence du titulaire"
    PROVIDER_INTERRUPTION = "provider_interruption", "Interruption par l'organisme"
