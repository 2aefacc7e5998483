from django.contrib.auth import views as auth_views
from django.urls import path

from opencpf.web.forms import ProviderLoginForm
from opencpf.web.provider import enrolment_views, identity_views, views
from opencpf.web.views import login_view

app_name = "provider"

urlpatterns = [
    path("", views.home, name="home"),
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
    # enrolment
    path("dossiers/", enrolment_views.dossier_list, name="dossiers"),
    path("dossiers/<str:number>/", enrolment_views.dossier_detail, name="dossier_detail"),
    path("dossiers/<str:number>/proposer/", enrolment_views.dossier_propose, name="dossier_propose"),
    path("dossiers/<str:number>/refuser/", enrolment_views.dossier_refuse, name="dossier_refuse"),
    path("dossiers/<str:number>/annuler/", enrolment_views.dossier_cancel, name="dossier_cancel"),
    path("dossiers/<str:number>/entree/", enrolment_views.dossier_declare_entry, name="dossier_declare_entry"),
]
