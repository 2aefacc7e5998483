from django.contrib.auth import views as auth_views
from django.urls import path

from opencpf.web.forms import ProviderLoginForm
from opencpf.web.provider import catalogue_views as cv
from opencpf.web.provider import (
    enrolment_views,
    identity_views,
    payments_views,
    security_views,
    support_views,
    trust_views,
    views,
)
from opencpf.web.views import login_view

app_name = "provider"

urlpatterns = [
    path("", views.home, name="home"),
    path("messages/", views.messages, name="messages"),
    path("aide/", support_views.tickets, name="tickets"),
    path("aide/nouvelle/", support_views.ticket_new, name="ticket_new"),
    path("aide/<str:number>/", support_views.ticket_detail, name="ticket_detail"),
    path("litiges/", support_views.disputes, name="disputes"),
    path("litiges/nouveau/", support_views.dispute_new, name="dispute_new"),
    path("litiges/<str:reference>/", support_views.dispute_detail, name="dispute_detail"),
    path(
        "litiges/<str:reference>/pieces/<int:message_id>/", support_views.dispute_attachment, name="dispute_attachment"
    ),
    path(
        "connexion/",
        login_view(
            form_class=ProviderLoginForm,
            heading="Connexion à l'espace organismes de formation",
            base_template="provider/base.html",
            default_next="provider:home",
        ),
        name="login",
    ),
    path("membres/", identity_views.members, name="members"),
    path("membres/<int:membership_id>/retirer/", identity_views.member_remove, name="member_remove"),
    path("cles-api/", identity_views.api_keys, name="api_keys"),
    path("cles-api/<int:key_id>/revoquer/", identity_views.api_key_revoke, name="api_key_revoke"),
    path("invitation/<uidb64>/<token>/", identity_views.invitation, name="invitation"),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="provider:login"), name="logout"),
    # catalogue
    path("offres/", cv.offer_list, name="offer_list"),
    path("offres/nouvelle/", cv.offer_create, name="offer_create"),
    path("offres/import-lheo/", cv.lheo_upload, name="lheo_upload"),
    path("offres/<int:offer_id>/", cv.offer_detail, name="offer_detail"),
    path("offres/<int:offer_id>/modifier/", cv.offer_edit, name="offer_edit"),
    path("offres/<int:offer_id>/publier/", cv.offer_action, {"action": "publish"}, name="offer_publish"),
    path("offres/<int:offer_id>/depublier/", cv.offer_action, {"action": "unpublish"}, name="offer_unpublish"),
    path("offres/<int:offer_id>/dupliquer/", cv.offer_action, {"action": "duplicate"}, name="offer_duplicate"),
    path("offres/<int:offer_id>/sessions/nouvelle/", cv.session_create, name="session_create"),
    path("sessions/<int:session_id>/modifier/", cv.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/dupliquer/", cv.session_duplicate, name="session_duplicate"),
    path("demande-referencement/", cv.referencing_apply, name="referencing_apply"),
    path("referencement/", cv.referencing_status, name="referencing_status"),
    # enrolment
    path("dossiers/", enrolment_views.dossier_list, name="dossiers"),
    path("dossiers/<str:number>/", enrolment_views.dossier_detail, name="dossier_detail"),
    path("dossiers/<str:number>/proposer/", enrolment_views.dossier_propose, name="dossier_propose"),
    path("dossiers/<str:number>/refuser/", enrolment_views.dossier_refuse, name="dossier_refuse"),
    path("dossiers/<str:number>/annuler/", enrolment_views.dossier_cancel, name="dossier_cancel"),
    path("dossiers/<str:number>/entree/", enrolment_views.dossier_declare_entry, name="dossier_declare_entry"),
    # payments
    path("paiements/", payments_views.payments, name="payments"),
    path("paiements/<int:line_id>/avis/", payments_views.payment_advice, name="payment_advice"),
    path("coordonnees-bancaires/", payments_views.bank_details_page, name="bank_details"),
    path("securite/", security_views.security, name="security"),
    path("securite/verification/", security_views.step_up, name="step_up"),
    path("securite/application/", security_views.totp_enrol, name="totp_enrol"),
    path("securite/application/supprimer/", security_views.totp_remove, name="totp_remove"),
    path("dossiers/<str:number>/sortie/", enrolment_views.dossier_declare_exit, name="dossier_declare_exit"),
    path("avis/", enrolment_views.ratings, name="ratings"),
    # trust
    path("controles/", trust_views.controls, name="trust_controls"),
    path("controles/<str:reference>/", trust_views.control, name="trust_control"),
]
