"""The Celery app: eager in-process in the embedded default, Redis workers and beat in production."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("opencpf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
