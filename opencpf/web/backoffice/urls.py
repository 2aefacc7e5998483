from django.contrib.auth import views as auth_views
from django.urls import path

from opencpf.web.backoffice import catalogue_views as cv
from opencpf.web.backoffice import views
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
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="backoffice:login"), name="logout"),
    # catalogue: referencing
    path("referencement/", cv.referencing_queue, name="referencing_queue"),
    path("referencement/<int:provider_id>/", cv.referencing_detail, name="referencing_detail"),
    path("habilitations/<int:permission_id>/retirer/", cv.permission_withdraw, name="permission_withdraw"),
]
