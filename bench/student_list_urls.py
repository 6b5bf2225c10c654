"""URLs for bench_student_list: the application's, plus a bare view as the baseline."""

from django.http import HttpResponse
from django.urls import path

from xinyu.urls import urlpatterns as application


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *application]
