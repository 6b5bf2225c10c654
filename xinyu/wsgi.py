import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyu.settings")
application = get_wsgi_application()

# What start-up loaded (Django, the apps, the policy) lives as long as the process: moved out of the
# collector's reach, a full collection during a request walks only what requests made, not all of it.
gc.freeze()
