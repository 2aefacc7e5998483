"""Back-office pages of the payments domain: bank-detail changes to approve, payment runs (launch, file, sent,
confirmed, the bank's status reports)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.core.audit import audit_record
from opencpf.core.exceptions import DomainError
from opencpf.core.money import format_eur
from opencpf.payments import bank_details, returns, runs, selectors
from opencpf.payments.models import PaymentRun, ProviderBankAccount
from opencpf.web.access import agent_required


@agent_required("payments.approve_providerbankaccount")
def bank_changes(request: HttpRequest) -> HttpResponse:
    changes = list(selectors.pending_bank_changes()[:200])
    if changes:
        audit_record(action="payments.bank_changes_view", request=request, data={"accounts": [c.pk for c in changes]})
    return render(
        request,
        "backoffice/payments/bank_changes.html",
        {"title": "Changements de coordonnées bancaires", "changes": changes},
    )


@agent_required("payments.approve_providerbankaccount")
@require_POST
def bank_change_decide(request: HttpRequest, account_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    reason = request.POST.get("reason", "").strip()
    if decision not in ("approve", "refuse") or not reason:
        messages.error(request, "Choisissez une décision et indiquez un motif.")
        return redirect("backoffice:bank_changes")
    if not ProviderBankAccount.objects.filter(pk=account_id).exists():
        raise Http404
    try:
        account = bank_details.bank_details_decide(
            account_id=account_id, officer=request.user, approve=decision == "approve", reason=reason, request=request
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Changement {account.get_status_display().lower()} pour {account.provider.name}.")
    return redirect("backoffice:bank_changes")


@agent_required("payments.view_paymentrun")
def payment_runs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/payments/runs.html",
        {"title": "Campagnes de paiement", "runs": list(selectors.payment_runs()[:100])},
    )


@agent_required("payments.manage_paymentrun")
@require_POST
def payment_run_launch(request: HttpRequest) -> HttpResponse:
    try:
        outcome = runs.payment_run(by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:payment_runs")
    for run in outcome.runs:
        messages.success(
            request,
            f"Campagne {run.reference} préparée : {run.line_count} organisme(s), {format_eur(run.total_cents)}.",
        )
    if outcome.skipped:
        messages.info(
            request, "Dossiers écartés : " + " ; ".join(f"{n} – {why}" for why, n in sorted(outcome.skipped.items()))
        )
    if not outcome.runs:
        messages.info(request, "Aucun dossier à payer.")
    return redirect("backoffice:payment_runs")


@agent_required("payments.view_paymentrun")
def payment_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run, its lines (rejected ones with the bank's reason) and the bank's status reports; a payment
    officer uploads a status report (pain.002) here."""
    run, lines = selectors.payment_run_detail(run_id)
    if run is None:
        raise Http404
    problems: list[returns.Problem] = []
    if request.method == "POST":
        if not request.user.has_perm("payments.manage_paymentrun"):
            raise PermissionDenied
        upload = request.FILES.get("report")
        reason = request.POST.get("reason", "").strip()
        if upload is None or not reason:
            messages.error(request, "Joignez le rapport de statut de la banque (pain.002) et indiquez un motif.")
        elif upload.size and upload.size > returns.MAX_BYTES:
            messages.error(request, "Le fichier dépasse la taille maximale acceptée (20 Mo).")
        else:
            try:
                outcome = returns.import_status_report(
                    data=upload.read(), by=request.user, reason=reason, request=request
                )
            except returns.StatusReportRefused as exc:
                problems = exc.problems
                messages.error(request, "Rapport de la banque refusé : rien n'a été modifié.")
            else:
                if outcome.report.run_id != run.pk:
                    messages.warning(request, f"Ce rapport porte sur la campagne {outcome.report.run.reference}.")
                if not outcome.created:
                    messages.info(request, "Ce rapport a déjà été importé : rien n'a été modifié.")
                else:
                    messages.success(
                        request,
                        f"Rapport {outcome.report.message_id} importé : {len(outcome.rejected)} virement(s) rejeté(s).",
                    )
                return redirect("backoffice:payment_run_detail", run_id=run.pk)
    rejected = [line for line in lines if line.rejected_at]
    return render(
        request,
        "backoffice/payments/run_detail.html",
        {
            "title": f"Campagne de paiement {run.reference}",
            "run": run,
            "lines": lines,
            "rejected": rejected,
            "rejected_cents": sum(line.amount_cents for line in rejected),
            "reports": list(selectors.run_status_reports(run)[:50]),
            "problems": problems,
        },
        status=422 if problems else 200,
    )


@agent_required("payments.manage_paymentrun")
def payment_run_file(request: HttpRequest, run_id: int) -> HttpResponse:
    run = PaymentRun.objects.filter(pk=run_id).first()
    if run is None or not run.file_xml:
        raise Http404
    audit_record(action="payments.run_file_download", request=request, obj=run)
    response = HttpResponse(bytes(run.file_xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{run.reference}.xml"'
    return response


@agent_required("payments.manage_paymentrun")
@require_POST
def payment_run_sent(request: HttpRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, runs.payment_run_mark_sent, "Campagne marquée comme envoyée à la banque.")


@agent_required("payments.manage_paymentrun")
@require_POST
def payment_run_confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, runs.payment_run_confirm, "Campagne confirmée : les dossiers sont payés.")


def _act(request: HttpRequest, run_id: int, action: object, done: str) -> HttpResponse:
    if not PaymentRun.objects.filter(pk=run_id).exists():
        raise Http404
    try:
        action(run=run_id, by=request.user, request=request)  # type: ignore[operator]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("backoffice:payment_run_detail", run_id=run_id)
