from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from xinyu.care import checkins
from xinyu.common.access import public, signed_in
from xinyu.core.home import responsibilities_for
from xinyu.org import scope


@signed_in
def home(request):
    user = request.user
    context = {
        "responsibilities": responsibilities_for(user),
        "own_student": scope.own_student(user) if user.is_student else None,
        "sees_students": bool(scope.grants_for(user)),
        "check_ins_due": checkins.due_count(user),  # a dorm leader asked to look after dorm-mates
    }
    return render(request, "core/home.html", context)


@public
def health(request):
    """For load balancers and monitoring: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
