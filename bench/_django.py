"""Set up Django for a benchmark (settings from DJANGO_SETTINGS_MODULE, default dev; DATABASE_URL honoured)."""

import os

import django


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
