"""Benchmark settings: the real settings on a throw-away database; Argon2 stays (it is part of the cost)."""

import os
from pathlib import Path

_var = Path(os.environ.get("XINYU_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
if not os.environ.get("DATABASE_URL"):
    (_var / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{_var / 'bench' / 'bench.sqlite3'}"

from xinyu.settings import *  # noqa: E402, F403

TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Never the database pytest uses: a benchmark's throw-away copy has its own name.
DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}_bench"}  # noqa: F405
