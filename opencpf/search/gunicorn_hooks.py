"""Gunicorn settings for sharing one search index across workers: `gunicorn -c python:opencpf.search.gunicorn_hooks`.

The index is built in the master after the application is preloaded; forked workers share its NumPy arrays
copy-on-write. The master's database connections are closed before fork.
"""

from __future__ import annotations

from typing import Any

preload_app = True


def when_ready(server: Any) -> None:
    from django.db import connections

    from opencpf.search import runtime

    runtime.warm()
    connections.close_all()
