from django.contrib.auth import views as auth_views
from django.urls import path

from opencpf.web.backoffice import catalogue_views as cv
from opencpf.web.backoffice import (
    console_views,
    core_views,
    dashboard_views,
    enrolment_views,
    identity_views,
    payments_views,
    rights_views,
    support_views,
    trust_views,
    views,
)
from opencpf.web.backoffice.reviews_views import moderate, moderation_queue
from opencpf.web.forms import AgentLoginForm
from opencpf.web.views import login_view

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("parametres/", core_views.parameters, name="parameters"),
    path("demandes/", support_views.queue, name="support_queue"),
    path("demandes/<str:number>/", support_views.ticket, name="support_ticket"),
    path("signalements/", support_views.reports, name="support_reports"),
    path("alertes/", trust_views.alerts, name="trust_alerts"),
    path("alertes/<int:pk>/", trust_views.alert, name="trust_alert"),
    path("alertes/<int:pk>/agir/", trust_views.alert_act, name="trust_alert_act"),
    path("controles/", trust_views.controls, name="trust_controls"),
    path("controles/ouvrir/<int:provider_id>/", trust_views.control_new, name="trust_control_new"),
    path("controles/<int:pk>/", trust_views.control, name="trust_control"),
    path("controles/<int:pk>/justificatifs/<int:proof_id>/", trust_views.control_proof, name="trust_control_proof"),
    path("signalements/<str:reference>/", support_views.report, name="support_report"),
    path(
        "connexion/",
        login_view(
            form_class=AgentLoginForm,
            heading="Connexion à l'espace gestionnaires",
            base_template="backoffice/base.html",
            default_next="backoffice:home",
        ),
        name="login",
    ),
    path("titulaires/<int:holder_id>/", identity_views.holder_detail, name="holder_detail"),
    path("droits/dif/", rights_views.dif_list, name="rights_dif_list"),
    path("droits/dif/<int:claim_id>/", rights_views.dif_detail, name="rights_dif_detail"),
    path("droits/dif/<int:claim_id>/justificatif/", rights_views.dif_proof, name="rights_dif_proof"),
    path("droits/dif/<int:claim_id>/decision/", rights_views.dif_decide, name="rights_dif_decide"),
    path("droits/abondements/", rights_views.topup_create, name="rights_topup"),
    path("gestionnaires/", identity_views.agents, name="agents"),
    path("gestionnaires/<int:agent_id>/desactiver/", identity_views.agent_deactivate_view, name="agent_deactivate"),
    path(
        "gestionnaires/<int:agent_id>/reinitialiser-application/",
        identity_views.agent_factor_reset_view,
        name="agent_factor_reset",
    ),
    path("verification/", identity_views.second_factor_page, name="second_factor"),
    path("verification/application/", identity_views.second_factor_enrol, name="second_factor_enrol"),
    path("invitation/<uidb64>/<token>/", identity_views.invitation, name="invitation"),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="backoffice:login"), name="logout"),
    # catalogue: referencing
    path("referencement/", cv.referencing_queue, name="referencing_queue"),
    path("referencement/<int:provider_id>/", cv.referencing_detail, name="referencing_detail"),
    path("habilitations/<int:permission_id>/retirer/", cv.permission_withdraw, name="permission_withdraw"),
    path("dossiers/signales/", enrolment_views.flagged, name="dossiers_flagged"),
    path("dossiers/<str:number>/", enrolment_views.dossier_detail, name="dossier_detail"),
    path("dossiers/<str:number>/annuler/", enrolment_views.dossier_cancel, name="dossier_cancel"),
    # payments
    path("paiements/coordonnees-bancaires/", payments_views.bank_changes, name="bank_changes"),
    path(
        "paiements/coordonnees-bancaires/<int:account_id>/decision/",
        payments_views.bank_change_decide,
        name="bank_change_decide",
    ),
    path("paiements/campagnes/", payments_views.payment_runs, name="payment_runs"),
    path("paiements/campagnes/preparer/", payments_views.payment_run_launch, name="payment_run_launch"),
    path("paiements/campagnes/<int:run_id>/", payments_views.payment_run_detail, name="payment_run_detail"),
    path("paiements/campagnes/<int:run_id>/fichier/", payments_views.payment_run_file, name="payment_run_file"),
    path("paiements/campagnes/<int:run_id>/envoyee/", payments_views.payment_run_sent, name="payment_run_sent"),
    path("paiements/campagnes/<int:run_id>/confirmee/", payments_views.payment_run_confirm, name="payment_run_confirm"),
    path("dossiers/<str:number>/valider-service-fait/", enrolment_views.dossier_validate, name="dossier_validate"),
    path("avis/moderation/", moderation_queue, name="reviews_queue"),
    path("avis/<int:rating_id>/moderer/", moderate, name="reviews_moderate"),
    # console, adjustments, disputes, dashboards (issue 9)
    path("console/", console_views.search, name="console_search"),
    path("console/titulaires/<int:holder_id>/", console_views.holder, name="console_holder"),
    path(
        "console/titulaires/<int:holder_id>/regularisation/",
        console_views.adjustment_propose,
        name="adjustment_propose",
    ),
    path("console/organismes/<int:provider_id>/", console_views.provider, name="console_provider"),
    path("regularisations/", console_views.adjustments, name="adjustments"),
    path("regularisations/<int:adjustment_id>/decision/", console_views.adjustment_decide, name="adjustment_decide"),
    path("litiges/", console_views.dispute_queue, name="disputes"),
    path("litiges/<str:reference>/", console_views.dispute, name="dispute"),
    path(
        "litiges/<str:reference>/pieces/<int:message_id>/",
        console_views.dispute_attachment,
        name="dispute_attachment",
    ),
    path("tableaux-de-bord/", dashboard_views.dashboard, name="dashboard"),
    path("tableaux-de-bord/<str:name>.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
]
