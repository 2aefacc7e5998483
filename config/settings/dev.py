"""Development and the embedded demo (`make run`): SQLite in var/, eager jobs, console email."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]
