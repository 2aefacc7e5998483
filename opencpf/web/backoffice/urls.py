from django.contrib.auth import views as auth_views
from django.urls import path

from opencpf.web.backoffice import identity_views, views
from opencpf.web.forms import AgentLoginForm
from opencpf.web.views import login_view

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
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
    path("gestionnaires/", identity_views.agents, name="agents"),
    path("gestionnaires/<int:agent_id>/desactiver/", identity_views.agent_deactivate_view, name="agent_deactivate"),
    path("invitation/<uidb64>/<token>/", identity_views.invitation, name="invitation"),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="backoffice:login"), name="logout"),
]
