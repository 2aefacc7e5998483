from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from opencpf.web.forms import HolderLoginForm
from opencpf.web.holder import support_views, views
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
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="holder:home"), name="logout"),
    path("mon-compte/", views.dashboard, name="dashboard"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("aide/", support_views.help_page, name="help"),
    path("signaler/", support_views.report, name="report"),
    path("mon-compte/demandes/", support_views.tickets, name="tickets"),
    path("mon-compte/demandes/nouvelle/", support_views.ticket_new, name="ticket_new"),
    path("mon-compte/demandes/<str:number>/", support_views.ticket_detail, name="ticket_detail"),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api_docs"),
]
