"""The counselling-only workload page became the workload statement (`xinyu.workforce`, 第十三条): old links,
bookmarks and stored notifications land there."""

from django.shortcuts import redirect

from xinyu.common.access import requires

staff_view = requires(lambda user: not user.is_student, "workload")


@staff_view
def workload(request):
    return redirect("workforce:statement")


@staff_view
def workload_export(request):
    return redirect("workforce:statement")
