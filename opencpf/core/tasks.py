"""Platform tasks. Domain tasks live in each domain's tasks.py and are found by autodiscovery."""

from __future__ import annotations

import os

from celery import shared_task


@shared_task(name="core.echo")
def echo(value: str) -> dict:
    """Round-trip check of the job wiring: returns the value and the worker's process id."""
    return {"value": value, "pid": os.getpid()}
