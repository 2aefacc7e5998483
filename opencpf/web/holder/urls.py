from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from opencpf.web.forms import HolderLoginForm
from opencpf.web.holder import rights_views, views
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
    path("mes-droits/", rights_views.statement, name="rights_statement"),
    path("mes-droits/releve/", rights_views.printable, name="rights_printable"),
    path("mes-droits/dif/", rights_views.dif, name="rights_dif"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api_docs"),
]
