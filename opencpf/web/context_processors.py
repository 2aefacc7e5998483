from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"OPERATOR_NAME": settings.OPERATOR_NAME, "OPERATOR_TAGLINE": settings.OPERATOR_TAGLINE}
