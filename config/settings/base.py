"""Settings shared by every environment. Everything secret or deployment-specific comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("OPENCPF_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """One code path for SQLite (embedded default) and PostgreSQL (production, CI)."""
    config: dict = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # Writers queue on the database lock instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
            ),
        }
    return config


SECRET_KEY = env("SECRET_KEY", "dev-insecure-secret-key-change-me-in-production-0123456789")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DATABASES = {"default": database_from_url(env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'opencpf.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dsfr",
    "widget_tweaks",
    "ninja",
    # opencpf domains (dependency order)
    "opencpf.core",
    "opencpf.identity",
    "opencpf.catalogue",
    "opencpf.rights",
    "opencpf.search",
    "opencpf.enrolment",
    "opencpf.payments",
    "opencpf.reviews",
    "opencpf.trust",
    "opencpf.support",
    "opencpf.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "opencpf.web.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "opencpf.web.access.AgentSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opencpf.api.middleware.ApiInputGuardMiddleware",
    "opencpf.api.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
    "opencpf.trust.context.OriginMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencpf.web.context_processors.site",
            ],
        },
    }
]

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "opencpf.identity.backends.NirBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "holder:login"

# Brute-force lockout on every login form (django-axes).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "opencpf.identity.axes.username_callable"
AXES_LOCKOUT_CALLABLE = "opencpf.web.views.lockout"  # a NIR is stored hashed, never in clear

# Strong authentication for money: "totp" (django-otp application) or "email" (one-time code by email).
IDENTITY_SECOND_FACTOR = env("IDENTITY_SECOND_FACTOR", "totp")
IDENTITY_STRONG_SESSION_SECONDS = int(env("IDENTITY_STRONG_SESSION_SECONDS", "3600"))
OTP_TOTP_ISSUER = "Mon Compte Formation"
# Agents' second factor at every login (opencpf.identity.second_factor): "totp" (an authenticator app, enrolled
# through a code sent by email), "email" (a code by email also passes it: the demo), "off" (refused in production).
IDENTITY_AGENT_SECOND_FACTOR = env("IDENTITY_AGENT_SECOND_FACTOR", "totp")
IDENTITY_AGENT_FACTOR_FAILURES = int(env("IDENTITY_AGENT_FACTOR_FAILURES", "5"))
IDENTITY_AGENT_FACTOR_LOCK_SECONDS = int(env("IDENTITY_AGENT_FACTOR_LOCK_SECONDS", "3600"))
# FranceConnect (OpenID Connect). Empty client id: the button is hidden.
FRANCECONNECT = {
    "client_id": env("FRANCECONNECT_CLIENT_ID"),
    "client_secret": env("FRANCECONNECT_CLIENT_SECRET"),
    "server_metadata_url": env("FRANCECONNECT_METADATA_URL"),
    "acr_values": env("FRANCECONNECT_ACR_VALUES", "eidas2"),
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security baseline (prod tightens the transport settings).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Personal data: the NIR is stored as a keyed hash (look-up) plus an encrypted copy (masked display).
NIR_HASH_KEY = env("NIR_HASH_KEY", "dev-nir-hash-key-not-for-production")
NIR_ENCRYPTION_KEY = env("NIR_ENCRYPTION_KEY", "dev-nir-encryption-key-not-for-production")

# Search fairness: the secret keying the per-IP permutation of equivalent offers.
SEARCH_ORDER_SECRET = env("SEARCH_ORDER_SECRET", "dev-search-order-secret")

# Business-day calendar: None for metropolitan France; "57" (Moselle) or "6AE" (Alsace) adds their two extra days.
BUSINESS_CALENDAR_SUBDIV = env("BUSINESS_CALENDAR_SUBDIV") or None

# Background jobs: eager in-process by default (embedded), Redis in production.
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# Enrolment deadlines are by day; an hourly idempotent pass applies each lapse once and sends reminders.
CELERY_BEAT_SCHEDULE["enrolment.expire_deadlines"] = {"task": "enrolment.expire_deadlines", "schedule": 3600.0}
# Payment runs: a daily pass (resumes a run left planned by a crash, then pays what became payable).
CELERY_BEAT_SCHEDULE["payments.payment_run"] = {"task": "payments.payment_run", "schedule": 86400.0}
CELERY_BEAT_SCHEDULE["support.disputes_end_exchanges"] = {"task": "support.disputes_end_exchanges", "schedule": 3600.0}

# Email
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Mon Compte Formation <ne-pas-repondre@opencpf.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

OPERATOR_NAME = "Mon Compte Formation"
# The operator's account debited by payment runs (pain.001 debtor).
PAYMENTS_DEBTOR_NAME = env("PAYMENTS_DEBTOR_NAME", "Caisse des depots - Mon Compte Formation")
PAYMENTS_DEBTOR_IBAN = env("PAYMENTS_DEBTOR_IBAN", "FR7630001007941234567890185")
PAYMENTS_DEBTOR_BIC = env("PAYMENTS_DEBTOR_BIC", "BDFEFRPPCCT")
# The public address of the site, for links in emails (no request to build them from in jobs).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
OPERATOR_TAGLINE = "Votre compte personnel de formation"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_nir": {"()": "opencpf.core.logging.RedactNirFilter"}},
    "formatters": {
        "plain": {
            "()": "opencpf.core.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_nir"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
