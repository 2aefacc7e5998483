from django.contrib.auth import views as auth_views
from django.urls import path

from opencpf.web.forms import ProviderLoginForm
from opencpf.web.provider import support_views, views
from opencpf.web.views import login_view

app_name = "provider"

urlpatterns = [
    path("", views.home, name="home"),
    path("aide/", support_views.tickets, name="tickets"),
    path("aide/nouvelle/", support_views.ticket_new, name="ticket_new"),
    path("aide/<str:number>/", support_views.ticket_detail, name="ticket_detail"),
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
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="provider:login"), name="logout"),
]
