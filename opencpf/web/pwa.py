"""Installable holder site: web app manifest, service worker (served from the root so its scope is the
whole site) and the offline page. The service worker keeps the last known copy of the balance and dossiers
pages; nothing that moves money works offline."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# The shell's style sheets (base.html and the service worker's precache): the DSFR without its legacy-browser
# part, and only the icon families the pages use, to keep a page with its assets well under 1 MB.
SHELL_CSS = (
    "dsfr/dist/dsfr/dsfr.main.min.css",
    "dsfr/dist/utility/icons/icons-system/icons-system.main.min.css",
    "dsfr/dist/utility/icons/icons-user/icons-user.main.min.css",
    "dsfr/dist/utility/icons/icons-arrows/icons-arrows.main.min.css",
    "dsfr/dist/utility/icons/icons-business/icons-business.main.min.css",
    "css/dsfr-django-overrides.css",
    "web/site.css",
)

# Pages kept for offline reading: the holder's account and dossiers (GET only).
OFFLINE_READABLE_PREFIXES = ["/mon-compte/"]
SW_VERSION = "1"


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "Mon Compte Formation",
        "short_name": "Mon CPF",
        "description": "Votre compte personnel de formation : vos droits, vos formations, vos dossiers.",
        "lang": "fr",
        "start_url": "/mon-compte/?source=app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#000091",
        "icons": [
            {"src": static("dsfr/dist/favicon/android-chrome-192x192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("dsfr/dist/favicon/android-chrome-512x512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "pwa/sw.js",
        {
            "version": SW_VERSION,
            "offline_prefixes": json.dumps(OFFLINE_READABLE_PREFIXES),
            "precache": json.dumps(
                [
                    "/hors-ligne/",
                    *(static(path) for path in SHELL_CSS),
                    static("dsfr/dist/dsfr/dsfr.module.min.js"),
                    static("web/app.js"),
                ]
            ),
        },
        content_type="text/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "pwa/offline.html", {"title": "Hors connexion"})
