"""Words that other code shows on our pages and that its own catalogue has no Chinese for: the back office's
date filter (Django) and the background tasks' results (django-tasks-db). Marked here so makemessages keeps
them in ours, where they are translated like our own."""

from django.utils.translation import gettext_noop

BORROWED = (
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("args kwargs"),
    gettext_noop("backend name"),
    gettext_noop("enqueued at"),
    gettext_noop("exception class path"),
    gettext_noop("finished at"),
    gettext_noop("priority"),
    gettext_noop("queue name"),
    gettext_noop("return value"),
    gettext_noop("run after"),
    gettext_noop("started at"),
    gettext_noop("status"),
    gettext_noop("task path"),
    gettext_noop("traceback"),
    gettext_noop("worker id"),
)
