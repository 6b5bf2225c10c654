"""URLs for bench_screening_load's server: the application's, plus a bare view doing three inserts in one
transaction as the baseline (through the same middleware, CSRF check included)."""

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from xinyu.accounts.models import LoginFailure
from xinyu.common.access import public
from xinyu.urls import urlpatterns as application


@public
@require_POST
def three_inserts(request):
    with transaction.atomic():
        for number in range(3):
            LoginFailure.objects.create(username=f"bench:baseline:{number}", address="127.0.0.1")
    return HttpResponse("ok")


urlpatterns = [path("bench/three-inserts/", three_inserts, name="bench_three_inserts"), *application]
