from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from opencpf.web.forms import HolderLoginForm
from opencpf.web.holder import (
    enrolment_views,
    identity_views,
    offer_views,
    rights_views,
    search_views,
    support_views,
    views,
)
from opencpf.web.holder.reviews_views import dossier_rate, offer_ratings, provider_ratings
from opencpf.web.views import login_view

app_name = "holder"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "connexion/",
        login_view(
            form_class=HolderLoginForm,
            heading="Me connecter à mon compte formation",
            base_template="holder/base.html",
            default_next="holder:dashboard",
            intro="Pour consulter vos droits et vos dossiers.",
            extra={"holder_links": True},
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="holder:home"), name="logout"),
    path("mon-compte/", views.dashboard, name="dashboard"),
    path("mon-compte/droits/", rights_views.statement, name="rights_statement"),
    path("mon-compte/droits/releve/", rights_views.printable, name="rights_printable"),
    path("mon-compte/droits/dif/", rights_views.dif, name="rights_dif"),
    path("recherche/", search_views.search, name="search"),
    path("recherche/classement/", search_views.ranking, name="search_ranking"),
    path("recherche/suggestions/", search_views.suggestions, name="search_suggestions"),
    path("formations/<int:offer_id>/", offer_views.offer, name="offer"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("aide/", support_views.help_page, name="help"),
    path("signaler/", support_views.report, name="report"),
    path("mon-compte/demandes/", support_views.tickets, name="tickets"),
    path("mon-compte/demandes/nouvelle/", support_views.ticket_new, name="ticket_new"),
    path("mon-compte/demandes/<str:number>/", support_views.ticket_detail, name="ticket_detail"),
    path("mon-compte/litiges/", support_views.disputes, name="disputes"),
    path("mon-compte/litiges/nouveau/", support_views.dispute_new, name="dispute_new"),
    path("mon-compte/litiges/<str:reference>/", support_views.dispute_detail, name="dispute_detail"),
    path(
        "mon-compte/litiges/<str:reference>/pieces/<int:message_id>/",
        support_views.dispute_attachment,
        name="dispute_attachment",
    ),
    # identity
    path("activer/", identity_views.activate, name="activate"),
    path("confirmer-email/<str:token>/", identity_views.email_confirm, name="email_confirm"),
    path("mot-de-passe-oublie/", identity_views.password_reset, name="password_reset"),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        identity_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("franceconnect/connexion/", identity_views.franceconnect_login, name="franceconnect_login"),
    path("franceconnect/retour/", identity_views.franceconnect_callback, name="franceconnect_callback"),
    path("mon-compte/securite/", identity_views.security, name="security"),
    path("mon-compte/securite/verification/", identity_views.step_up, name="step_up"),
    path("mon-compte/securite/application/", identity_views.totp_enrol, name="totp_enrol"),
    path("mon-compte/securite/courriel/", identity_views.email_change, name="email_change"),
    path(
        "mon-compte/securite/courriel/confirmation/",
        identity_views.email_confirmation_resend,
        name="email_confirmation_resend",
    ),
    path("mon-compte/securite/telephone/", identity_views.phone_change, name="phone_change"),
    path("mon-compte/securite/mot-de-passe/", identity_views.password_change, name="password_change"),
    path("mon-compte/securite/sessions/<int:session_id>/fermer/", identity_views.session_revoke, name="session_revoke"),
    path("mon-compte/donnees-personnelles/", identity_views.personal_data, name="personal_data"),
    # enrolment
    path("mon-compte/dossiers/", enrolment_views.dossier_list, name="dossiers"),
    path("mon-compte/dossiers/<str:number>/", enrolment_views.dossier_detail, name="dossier_detail"),
    path("mon-compte/dossiers/<str:number>/accepter/", enrolment_views.dossier_accept, name="dossier_accept"),
    path("mon-compte/dossiers/<str:number>/evaluation/", dossier_rate, name="dossier_rate"),
    path("mon-compte/dossiers/<str:number>/<str:action>/", enrolment_views.dossier_action, name="dossier_action"),
    path("mon-compte/messages/", enrolment_views.message_list, name="enrolment_messages"),
    path("mon-compte/sessions/<int:session_id>/demande/", enrolment_views.session_request, name="session_request"),
    path("offres/<int:offer_id>/avis/", offer_ratings, name="offer_ratings"),
    path("organismes/<int:provider_id>/avis/", provider_ratings, name="provider_ratings"),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api_docs"),
]
