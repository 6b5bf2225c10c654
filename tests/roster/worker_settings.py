"""Settings for the subprocesses of the worker-kill test: the test settings with the database task backend,
so that a real `manage.py db_worker` runs the import. The database (a file of the test's own, from
DATABASE_URL) and the media folder (XINYU_VAR_DIR) come from the environment the test gives them."""

from xinyu.test_settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
