"""The courses' pages (第七条(三)). Reading the catalogue and the sections: staff of the school; keeping them:
学工部 and the psychology centre; the student list of a section: only the students the viewer sees (T1); the
freshmen's coverage: those who see the network (`xinyu.courses.scope`). Thin: the writes are in `services`,
the figures in `coverage`."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinyu.accounts.models import User
from xinyu.accounts.stepup import step_up_required
from xinyu.common.access import requires
from xinyu.common.params import id_param
from xinyu.courses import coverage as cov
from xinyu.courses import exports, scope, services
from xinyu.courses.forms import ClassesForm, CourseForm, SectionForm, StudentForm, TeacherForm
from xinyu.courses.models import Enrolment, Section, SectionClass, SectionTeacher
from xinyu.org.access_log import client_address
from xinyu.org.models import Student
from xinyu.policy.terms import parse_term_code, term_of
from xinyu.roster import export

read_view = requires(scope.may_read, "courses")
edit_view = requires(scope.may_edit, "courses_edit")
coverage_view = requires(scope.may_view_coverage, "course_coverage")


def _term(request):
    """The term chosen by `?term=` (a term code), else today's."""
    try:
        return parse_term_code(request.GET.get("term") or "")
    except ValueError:
        return term_of()


def _sections(queryset):
    return (
        queryset.select_related("course")
        .annotate(enrolled=Count("enrolments", distinct=True))
        .prefetch_related(Prefetch("teachers", queryset=SectionTeacher.objects.select_related("teacher")))
    )


@read_view
@require_GET
def index(request):
    term = _term(request)
    courses = scope.courses_for(request.user).annotate(section_count=Count("sections"))
    sections = _sections(Section.objects.filter(course__in=scope.courses_for(request.user), term=term.code))
    mine = _sections(Section.objects.filter(teachers__teacher=request.user, course__in=scope.courses_for(request.user)))
    return render(request, "courses/index.html", {
        "term": term, "terms": _term_links(term), "courses": courses, "sections": sections, "mine": mine,
        "may_edit": scope.may_edit(request.user), "may_view_coverage": scope.may_view_coverage(request.user),
    })  # fmt: skip


def _term_links(term):
    return [term.previous().previous(), term.previous(), term, term.next()]


@read_view
@require_GET
def course(request, pk):
    course = scope.get_course_for_user(request.user, pk)
    sections = _sections(course.sections.all())
    return render(request, "courses/course.html", {
        "course": course, "sections": sections, "may_edit": scope.may_edit(request.user),
    })  # fmt: skip


@edit_view
@require_http_methods(["GET", "POST"])
def course_edit(request, pk=None):
    school = scope.school_for(request.user, edit=True)
    course = scope.get_course_for_user(request.user, pk, edit=True) if pk is not None else None
    form = CourseForm(request.POST or None, instance=course, school=school)
    if request.method == "POST" and form.is_valid():
        course = services.save_course(form, school=school, by=request.user, address=client_address(request))
        messages.success(request, _("The course is saved."))
        return redirect("courses:course", course.pk)
    return render(
        request, "courses/course_form.html", {"form": form, "course": course}, status=400 if form.errors else 200
    )


@read_view
@require_GET
def section(request, pk):
    section = scope.get_section_for_user(request.user, pk)
    return _section_page(request, section)


def _section_page(request, section, *, forms=None, status=200):
    enrolments = Enrolment.objects.filter(section=section)
    total = enrolments.count()
    shown = list(
        enrolments.filter(student__in=scope.visible_students(request.user))
        .select_related("student__class_group__college")
        .order_by("student__class_group__name", "student__student_number")
    )
    may_edit = scope.may_edit(request.user)
    if may_edit:  # one reverse() for the list's hundreds of rows, not one per row
        remove = reverse("courses:section_student_remove", args=[section.pk, 0]).replace("/0/", "/{}/")
        for enrolment in shown:
            enrolment.remove_url = remove.format(enrolment.student_id)
    forms = forms or {}
    context = {
        "section": section,
        "course": section.course,
        "term": parse_term_code(section.term) if _is_term(section.term) else None,
        "teachers": SectionTeacher.objects.filter(section=section).select_related("teacher"),
        "classes": _classes(section),
        "total": total,
        "shown": shown,
        "hidden": total - len(shown),
        "left_statuses": {Student.Status.GRADUATED, Student.Status.WITHDRAWN, Student.Status.DISMISSED},
        "may_edit": may_edit,
        "may_export": scope.may_export_roster(request.user) and bool(shown),
    }
    if may_edit:
        context["teacher_form"] = forms.get("teacher") or TeacherForm()
        addable = _addable(request.user, section)
        context["classes_form"] = forms.get("classes") or ClassesForm(class_groups=addable)
        # Rendered by hand: a widget per checkbox is slow for the hundred entering classes of a year.
        context["addable"] = list(addable)
        context["chosen"] = {id_param(value) for value in context["classes_form"]["class_groups"].value() or []}
        context["student_form"] = forms.get("student") or StudentForm()
    context["periods_taught"] = sum(row.class_periods for row in context["teachers"])
    return render(request, "courses/section.html", context, status=status)


def _classes(section) -> list[SectionClass]:
    """The classes added as a whole, each with how many of its students take the section."""
    counts = dict(
        Enrolment.objects.filter(section=section)
        .order_by()
        .values("student__class_group_id")
        .annotate(n=Count("pk"))
        .values_list("student__class_group_id", "n")
    )
    rows = list(SectionClass.objects.filter(section=section).select_related("class_group__college"))
    for row in rows:
        row.enrolled = counts.get(row.class_group_id, 0)
    return rows


def _is_term(code) -> bool:
    try:
        parse_term_code(code)
    except ValueError:
        return False
    return True


def _addable(user, section):
    """Classes the editor may add: the entering classes of the section's academic year (freshmen) in its
    school, not yet on the section."""
    year = int(section.term.split("-")[0]) if _is_term(section.term) else term_of().year
    return (
        scope.addable_class_groups(user)
        .filter(college__school=section.course.school, enrolment_year=year)
        .exclude(pk__in=SectionClass.objects.filter(section=section).values("class_group_id"))
        .select_related("college")
        .order_by("college__code", "name")
    )


@edit_view
@require_http_methods(["GET", "POST"])
def section_edit(request, pk=None, course_id=None):
    if pk is not None:
        section = scope.get_section_for_user(request.user, pk, edit=True)
        course = section.course
    else:
        section = None
        course = scope.get_course_for_user(request.user, course_id, edit=True)
    form = SectionForm(request.POST or None, instance=section, course=course)
    if request.method == "POST" and form.is_valid():
        section = services.save_section(form, course=course, by=request.user, address=client_address(request))
        messages.success(request, _("The section is saved."))
        return redirect("courses:section", section.pk)
    return render(request, "courses/section_form.html", {"form": form, "course": course, "section": section},
                  status=400 if form.errors else 200)  # fmt: skip


@edit_view
@require_POST
def section_teacher(request, pk):
    section = scope.get_section_for_user(request.user, pk, edit=True)
    form = TeacherForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["username"].strip()
        teacher = User.objects.filter(scope.teachers_of(section.course.school), username=number).distinct().first()
        if teacher is None:
            form.add_error("username", _("No member of staff with the staff number %(number)s holds a post in the "
                                         "school.") % {"number": number})  # fmt: skip
        else:
            try:
                services.set_teacher(section, teacher, form.cleaned_data["class_periods"], by=request.user,
                                     address=client_address(request))  # fmt: skip
            except services.CourseError as error:
                form.add_error("class_periods", str(error))
            else:
                messages.success(request, _("%(name)s teaches the section.") % {"name": teacher.full_name})
                return redirect("courses:section", section.pk)
    return _section_page(request, section, forms={"teacher": form}, status=400)


@edit_view
@require_POST
def section_teacher_remove(request, pk, teacher_id):
    section = scope.get_section_for_user(request.user, pk, edit=True)
    row = SectionTeacher.objects.filter(section=section, teacher_id=teacher_id).select_related("teacher").first()
    if row is None:
        raise Http404
    services.remove_teacher(section, row.teacher, by=request.user, address=client_address(request))
    messages.success(request, _("%(name)s no longer teaches the section.") % {"name": row.teacher.full_name})
    return redirect("courses:section", section.pk)


@edit_view
@require_POST
def section_classes(request, pk):
    section = scope.get_section_for_user(request.user, pk, edit=True)
    form = ClassesForm(request.POST, class_groups=_addable(request.user, section))
    if not form.is_valid():
        return _section_page(request, section, forms={"classes": form}, status=400)
    enrolled, skipped = services.add_classes(section, form.cleaned_data["class_groups"], by=request.user,
                                             address=client_address(request))  # fmt: skip
    text = _("%(classes)s classes added: %(enrolled)s students enrolled.") % {
        "classes": len(form.cleaned_data["class_groups"]), "enrolled": enrolled}  # fmt: skip
    if skipped:
        text += " " + _("%(n)s already take the course this term in another section and were left there.") % {
            "n": skipped}  # fmt: skip
    messages.success(request, text)
    return redirect("courses:section", section.pk)


@edit_view
@require_POST
def section_class_remove(request, pk, class_id):
    section = scope.get_section_for_user(request.user, pk, edit=True)
    row = SectionClass.objects.filter(section=section, class_group_id=class_id).select_related("class_group").first()
    if row is None:
        raise Http404
    removed = services.remove_class(section, row.class_group, by=request.user, address=client_address(request))
    messages.success(request, _("%(name)s is taken off the section with its %(n)s students.") % {
        "name": row.class_group.name, "n": removed})  # fmt: skip
    return redirect("courses:section", section.pk)


@edit_view
@require_POST
def section_student(request, pk):
    section = scope.get_section_for_user(request.user, pk, edit=True)
    form = StudentForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["student_number"].strip()
        student = (
            scope.visible_students(request.user).filter(school=section.course.school, student_number=number).first()
        )
        if student is None:
            form.add_error("student_number", _("No student with the student number %(number)s is in your scope.") % {
                "number": number})  # fmt: skip
        else:
            try:
                services.enrol_student(section, student, by=request.user, address=client_address(request))
            except services.CourseError as error:
                form.add_error("student_number", str(error))
            else:
                messages.success(request, _("%(name)s is enrolled.") % {"name": student.name})
                return redirect("courses:section", section.pk)
    return _section_page(request, section, forms={"student": form}, status=400)


@edit_view
@require_POST
def section_student_remove(request, pk, student_id):
    section = scope.get_section_for_user(request.user, pk, edit=True)
    enrolment = (
        Enrolment.objects.filter(
            section=section, student_id=student_id, student__in=scope.visible_students(request.user)
        )
        .select_related("student")
        .first()
    )
    if enrolment is None:
        raise Http404
    services.unenrol_student(section, enrolment.student, by=request.user, address=client_address(request))
    messages.success(request, _("%(name)s is taken off the section.") % {"name": enrolment.student.name})
    return redirect("courses:section", section.pk)


@requires(scope.may_export_roster, "export")
@step_up_required
@require_GET
def section_export(request, pk):
    section = scope.get_section_for_user(request.user, pk)
    students = (
        Student.objects.filter(
            course_enrolments__section=section, pk__in=scope.visible_students(request.user).values("pk")
        )
        .select_related("class_group__college", "dorm_room")
        .order_by("class_group__name", "student_number")
    )
    content, count = exports.section_roster_xlsx(section, students)
    services.log_export(request.user, section, count, address=client_address(request))
    response = HttpResponse(content, content_type=export.XLSX_TYPE)
    filename = f"{section.course.name}-{section.name}-{section.term}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _coverage_choice(request):
    """(year, term or None) from `?year=` and `?term=1|2`; default: the academic year of today."""
    today = term_of()
    year = id_param(request.GET.get("year"))
    year = year if year is not None and 2000 <= year <= 2098 else today.year
    number = request.GET.get("term")
    term = parse_term_code(f"{year}-{year + 1}-{number}") if number in ("1", "2") else None
    return year, term


@coverage_view
@require_GET
def coverage(request):
    school = scope.coverage_school_for(request.user)
    year, term = _coverage_choice(request)
    colleges = scope.coverage_colleges_for(request.user)
    rows = cov.coverage_by_college(school, year, term=term, colleges=colleges)
    covered, total = sum(row.covered for row in rows), sum(row.total for row in rows)
    return render(request, "courses/coverage.html", {
        "year": year, "term": term, "rows": rows, "summary": cov.CoverageRow(None, covered, total),
        "years": range(term_of().year, term_of().year - 4, -1),
    })  # fmt: skip


@coverage_view
@require_GET
def coverage_college(request, college_id):
    college = scope.get_coverage_college_for_user(request.user, college_id)
    year, term = _coverage_choice(request)
    rows = cov.coverage_by_class(college, year, term=term)
    covered, total = sum(row.covered for row in rows), sum(row.total for row in rows)
    return render(request, "courses/coverage_college.html", {
        "college": college, "year": year, "term": term, "rows": rows,
        "summary": cov.CoverageRow(college, covered, total), "back": reverse("courses:coverage"),
    })  # fmt: skip
