"""Production: secrets from the environment (start-up fails without them), TLS everywhere, jobs on Redis."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import IDENTITY_AGENT_SECOND_FACTOR, env, env_bool


def required(name: str) -> str:
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
NIR_HASH_KEY = required("NIR_HASH_KEY")
NIR_ENCRYPTION_KEY = required("NIR_ENCRYPTION_KEY")
SEARCH_ORDER_SECRET = required("SEARCH_ORDER_SECRET")
if str(IDENTITY_AGENT_SECOND_FACTOR).lower() not in ("totp", "email"):
    raise ImproperlyConfigured("IDENTITY_AGENT_SECOND_FACTOR cannot be turned off in production (ANSSI).")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Rate limits (activation, password reset, codes) share one cache across workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
}
