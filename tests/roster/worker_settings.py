"""Settings for the subprocesses of the worker-kill test: the test settings with a real task backend, so
that a real worker runs the import: `manage.py db_worker` (the database backend) or, with
TASK_BACKEND=rq, `manage.py rqworker` on REDIS_URL. The database (a file of the test's own, from
DATABASE_URL) and the media folder (XINYU_VAR_DIR) come from the environment the test gives them."""

import os

from xinyu.test_settings import *  # noqa: F403

if TASK_BACKEND == "rq":  # noqa: F405
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
