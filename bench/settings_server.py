"""Settings of the gunicorn server bench_screening_load starts: the real settings, DEBUG off, on the
benchmark's throw-away database (DATABASE_URL from the benchmark), with the bench-only URLconf that adds
the baseline view. Never used by the application or the tests."""

from xinyu.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.screening_load_urls"
# Errors still reach stderr; the per-request INFO lines would cost more than the requests measured.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
