"""Test settings: the same code path, faster hashing, eager jobs, in-memory email."""

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY
