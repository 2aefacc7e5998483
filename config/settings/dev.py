"""Development and the embedded demo (`make run`): SQLite in var/, eager jobs, console email."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]
# The demo's agents pass their second factor with a code by email: the console (this terminal) shows it.
IDENTITY_AGENT_SECOND_FACTOR = env("IDENTITY_AGENT_SECOND_FACTOR", "email")
