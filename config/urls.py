from django.contrib import admin
from django.urls import include, path

from config.api import api
from opencpf.web import pwa

urlpatterns = [
    path("api/v1/", api.urls),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("hors-ligne/", pwa.offline, name="offline"),
    path("django-admin/", admin.site.urls),
    path("organisme/", include("opencpf.web.provider.urls")),
    path("gestion/", include("opencpf.web.backoffice.urls")),
    path("", include("opencpf.web.holder.urls")),
]

handler404 = "opencpf.web.views.page_not_found"
handler500 = "opencpf.web.views.server_error"
