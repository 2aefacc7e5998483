from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from opencpf.web.forms import HolderLoginForm
from opencpf.web.holder import search_views, views
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
    path("recherche/", search_views.search, name="search"),
    path("recherche/classement/", search_views.ranking, name="search_ranking"),
    path("recherche/suggestions/", search_views.suggestions, name="search_suggestions"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api_docs"),
]
