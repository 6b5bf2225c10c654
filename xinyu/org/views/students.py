from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import render

from xinyu.common.access import requires, staff_only
from xinyu.common.params import id_param
from xinyu.org import scope
from xinyu.org.access_log import Read, record_read
from xinyu.org.network import build_network
from xinyu.org.scope import Tier

PAGE_SIZE = 50


def filtered_students(user, params):
    """The student list's rows for the viewer and the search/filter parameters, from the scope module."""
    students = scope.students_for(user, Tier.T1).select_related("class_group__college", "dorm_room")
    query = (params.get("q") or "").strip()
    if query:
        students = students.filter(Q(student_number__startswith=query) | Q(name__contains=query))
    # A college or class that is no id at all (or out of range) matches nobody.
    if college := params.get("college"):
        students = students.filter(class_group__college_id=id_param(college) or -1)
    if group := params.get("class_group"):
        students = students.filter(class_group_id=id_param(group) or -1)
    return students.order_by("student_number")


# Above this many visible class groups, the class filter lists only the chosen college's classes.
CLASS_FILTER_LIMIT = 60


def class_group_choices(user, params):
    class_groups = scope.class_groups_for(user).select_related("college")
    college = id_param(params.get("college"))
    if college is not None:
        return class_groups.filter(college_id=college)
    return class_groups if class_groups.count() <= CLASS_FILTER_LIMIT else class_groups.none()


@staff_only
def student_list(request):
    page = Paginator(filtered_students(request.user, request.GET), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "colleges": scope.colleges_for(request.user),
        "class_groups": class_group_choices(request.user, request.GET),
        "params": request.GET,
    }
    template = "org/student_list.html#results" if request.htmx else "org/student_list.html"
    return render(request, template, context)


@staff_only
def student_detail(request, pk):
    student = scope.get_student_for_user(request.user, pk, Tier.T1)
    tier, grant = scope.tier_for(request.user, student)
    context = {"student": student, "shows_attention_tier": tier >= Tier.T2, "may_propose_registry": tier >= Tier.T3}
    if tier < Tier.T2:
        return render(request, "org/student_detail.html", context)
    # T2 and above: the read and its audit entry commit together, or the request fails.
    with transaction.atomic():
        context["guardians"] = list(student.guardians.all())
        record_read(request, Read.STUDENT_DETAIL, student=student, tier=tier, post=grant.post)
        return render(request, "org/student_detail.html", context)


@staff_only
def class_group(request, pk):
    group = scope.get_class_group_for_user(request.user, pk)
    students = (
        scope.students_for(request.user, Tier.T1)
        .filter(class_group=group)
        .select_related("dorm_room")
        .order_by("student_number")
    )
    return render(request, "org/class_group.html", {"group": group, "students": students})


@requires(scope.may_view_network, "network")
def network(request):
    # The links to grant and end posts follow `nav.grant_posts` and `nav.posts` (xinyu.core.context_processors).
    return render(request, "org/network.html", {"network": build_network(scope.network_colleges_for(request.user))})
