from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    from opencpf.identity.franceconnect import enabled as franceconnect_enabled

    return {
        "OPERATOR_NAME": settings.OPERATOR_NAME,
        "OPERATOR_TAGLINE": settings.OPERATOR_TAGLINE,
        "FRANCECONNECT_ENABLED": franceconnect_enabled(),
    }
