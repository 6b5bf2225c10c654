"""Supervision and case-conference pages. Thin: the rules are in `services`, who sees what in `scope`. Pages
that show a case's supervision (T4) need a recent step-up, like counselling notes; every page showing
student data writes its access-log entry in the transaction that renders it."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.stepup import step_up_required
from xinyu.common.access import requires, staff_only
from xinyu.common.params import id_param
from xinyu.counselling.models import Session
from xinyu.org.access_log import Read, read_event, record_read, record_reads
from xinyu.org.models import School
from xinyu.workforce import scope, services
from xinyu.workforce.forms import (
    CaseAddForm,
    CaseForm,
    ConferenceForm,
    RequestForm,
    ScheduleForm,
    SessionForm,
    TaskForm,
    now_local,
)
from xinyu.workforce.models import ConferenceTask, SupervisionRequest
from xinyu.workforce.services import WorkforceError

Tier = scope.Tier
supervision_view = requires(scope.may_use_supervision, "supervision")
supervisor_view = requires(scope.is_supervisor, "supervisors")
SHOWN = 200


def _reads(what, students, tier=Tier.T4, **detail):
    return [read_event(what, student=student, tier=tier, detail=detail or None) for student in students]


def _post(user, request: SupervisionRequest) -> str:
    return "treating_counsellor" if request.counsellor_id == user.pk else ""


# --- supervision -------------------------------------------------------------------------------------------


@supervision_view
def supervision_index(request):
    """The supervisors' queue, my own cases in supervision, and the sessions I may know of."""
    user = request.user
    queue = list(scope.queue_for(user).select_related("student__class_group", "counsellor").order_by("submitted_at"))
    mine = list(
        scope.requests_for(user)
        .filter(counsellor_id=user.pk)
        .select_related("student__class_group")
        .order_by("-submitted_at")[:SHOWN]
    )
    sessions = list(scope.sessions_for(user).select_related("supervisor").order_by("-held_at")[:SHOWN])
    students = {r.student_id: r.student for r in [*queue, *mine]}
    with transaction.atomic():
        record_reads(request, _reads(Read.SUPERVISION_LIST, students.values()))
        return render(request, "workforce/supervision_index.html", {
            "queue": queue, "mine": mine, "sessions": sessions, "is_supervisor": scope.is_supervisor(user),
            "may_submit": scope.case_students_for(user).exists(),
        })  # fmt: skip


@supervision_view
def request_new(request):
    """Bring a case to supervision: from a counselling session (`?session=`), for a student (`?student=`), or
    choosing among the students I counsel."""
    user = request.user
    students = scope.case_students_for(user)
    session = student = None
    session_id = id_param(request.GET.get("session"))
    if session_id is not None:
        session = Session.objects.filter(pk=session_id, counsellor_id=user.pk, student__in=students).first()
        if session is None:
            raise Http404
        student = session.student
    else:
        student_id = id_param(request.GET.get("student") or request.POST.get("student"))
        if student_id is not None:
            student = students.filter(pk=student_id).first()
            if student is None:
                raise Http404
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if student is None:
            form.add_error(None, _("Please choose the student whose case you bring."))
        elif form.is_valid():
            try:
                created = services.submit_request(
                    student, by=user, question=form.cleaned_data["question"], session=session
                )
            except WorkforceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The case is in the supervisors' queue."))
                return redirect(created)
        status = 400
    choices = [] if student else list(students.select_related("class_group").order_by("student_number")[:SHOWN])
    with transaction.atomic():
        shown = [student] if student else choices
        record_reads(request, _reads(Read.SUPERVISION_FORM, shown, tier=Tier.T3, post="treating_counsellor"))
        return render(request, "workforce/request_new.html", {
            "form": form, "student": student, "session": session, "choices": choices,
        }, status=status)  # fmt: skip


@supervision_view
@step_up_required
def request_detail(request, pk):
    user = request.user
    item = scope.get_request_for_user(user, pk)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        schedule_form = ScheduleForm(request.POST) if action == "schedule" else None
        try:
            if action == "withdraw":
                services.withdraw_request(item, by=user)
                messages.success(request, _("The case is withdrawn from supervision."))
            elif action == "close":
                services.close_request(item, by=user)
                messages.success(request, _("The case's supervision is closed."))
            elif action == "again":
                services.bring_again(item, by=user)
                messages.success(request, _("The case is back in the supervisors' queue."))
            elif action == "schedule":
                at = schedule_form.cleaned_data["at"] if schedule_form.is_valid() else None
                services.schedule_request(item, by=user, at=at)
                messages.success(request, _("The supervision is scheduled."))
            else:
                raise WorkforceError(_("Unknown action."))
        except WorkforceError as error:
            messages.error(request, str(error))
            status = 400
        else:
            return redirect(item)
    discussions = list(item.discussions.select_related("session__supervisor").order_by("session__held_at", "pk"))
    treating = scope.is_treating_counsellor(user, item)
    supervising = scope.may_supervise(user, item)
    with transaction.atomic():
        record_read(request, Read.SUPERVISION_REQUEST, student=item.student, tier=Tier.T4,
                    post=_post(user, item), detail={"request": item.pk})  # fmt: skip
        unread = treating and discussions and item.guidance_read_at is None
        services.mark_guidance_read(item, by=user)
        return render(request, "workforce/request_detail.html", {
            "item": item, "student": item.student, "discussions": discussions, "treating": treating,
            "supervising": supervising, "unread": unread, "moves": SupervisionRequest.MOVES.allowed(item.status),
            "schedule_form": ScheduleForm(initial={"at": now_local()}),
        }, status=status)  # fmt: skip


def _supervisor_school(user) -> School:
    schools = sorted(scope.supervisor_schools(user))
    if not schools:
        raise Http404
    return School.objects.get(pk=schools[0])


@supervisor_view
@step_up_required
def session_new(request):
    """Record a supervision session, with the cases discussed and the guidance on each."""
    user = request.user
    school = _supervisor_school(user)
    queue = list(
        scope.queue_for(user).filter(school=school).select_related("student__class_group", "counsellor")
        .order_by("submitted_at")
    )  # fmt: skip
    chosen = {id_param(request.GET.get("request"))} - {None}
    initial = {"held_at": now_local(), "kind": "individual", "duration_minutes": 60}
    counsellors = [person for person in scope.centre_counsellors(school.pk) if person != user]
    form = SessionForm(request.POST or None, initial=initial, counsellors=counsellors, requests=queue, chosen=chosen)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.record_session(
                    school, by=user, kind=data["kind"], held_at=data["held_at"],
                    duration_minutes=data["duration_minutes"], place=data["place"],
                    counsellors=list(data["counsellors"]), discussions=data["discussions"],
                )  # fmt: skip
            except WorkforceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The supervision session is recorded."))
                return redirect(session)
        status = 400
    with transaction.atomic():
        record_reads(request, _reads(Read.SUPERVISION_FORM, {r.student_id: r.student for r in queue}.values()))
        return render(request, "workforce/session_new.html", {"form": form}, status=status)


@supervision_view
@step_up_required
def session_detail(request, pk):
    """A supervision session: who, when, how long; of the cases discussed, those the viewer may read."""
    user = request.user
    session = scope.get_session_for_user(user, pk)
    readable = set(scope.requests_for(user).values_list("pk", flat=True))
    discussions = list(session.discussions.select_related("request__student__class_group", "request__counsellor"))
    shown = [d for d in discussions if d.request_id in readable]
    with transaction.atomic():
        students = {d.request.student_id: d.request.student for d in shown}
        record_reads(request, _reads(Read.SUPERVISION_SESSION, students.values(), session=session.pk))
        return render(request, "workforce/session_detail.html", {
            "session": session, "counsellors": list(session.counsellors.order_by("username")),
            "discussions": shown, "others": len(discussions) - len(shown),
        })  # fmt: skip


# --- case conferences --------------------------------------------------------------------------------------


def _task_rows(user, tasks):
    """(task, name or None): the student's name where the viewer may be told the task about them."""
    answers = scope.may_be_told(user, [(task.case.student, scope.CONFERENCE_TASK_TIER) for task in tasks])
    return [(task, task.case.student.name if told else None) for task, told in zip(tasks, answers, strict=True)]


@staff_only
def conference_list(request):
    user = request.user
    conferences = list(scope.conferences_for(user).select_related("chair").order_by("-held_at")[:SHOWN])
    tasks = list(
        ConferenceTask.objects.filter(assignee_id=user.pk, done_at__isnull=True)
        .select_related("case__conference", "case__student")
        .order_by("due_on", "pk")
    )
    rows = _task_rows(user, tasks)
    named = [task.case.student for task, name in rows if name]
    with transaction.atomic():
        record_reads(request, _reads(Read.CONFERENCE_TASK, named, tier=Tier.T2))
        return render(request, "workforce/conference_list.html", {
            "conferences": conferences, "tasks": rows, "may_schedule": scope.may_schedule_conferences(user),
        })  # fmt: skip


@requires(scope.may_schedule_conferences, "case_conferences")
def conference_new(request):
    user = request.user
    school = School.objects.get(pk=sorted(scope.conference_schools(user))[0])
    people = scope.staff_of_school(school.pk)
    form = ConferenceForm(request.POST or None, people=people, initial={"held_at": now_local(), "chair": user.pk})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                conference = services.schedule_conference(
                    school, by=user, title=data["title"], held_at=data["held_at"], place=data["place"],
                    chair=data["chair"], attendees=list(data["attendees"]),
                )  # fmt: skip
            except WorkforceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The case conference is scheduled."))
                return redirect(conference)
        status = 400
    return render(request, "workforce/conference_new.html", {"form": form}, status=status)


@staff_only
def conference_detail(request, pk):
    user = request.user
    conference = scope.get_conference_for_user(user, pk)
    keeper = scope.may_keep_conference(user, conference)
    add_form = CaseAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not keeper:
            raise Http404
        if add_form.is_valid():
            number = add_form.cleaned_data["student_number"].strip()
            student = scope.conference_students_for(user, conference).filter(student_number=number).first()
            try:
                if student is None:
                    raise WorkforceError(_("No student you may see has this student number in the school."))
                case = services.add_case(conference, by=user, student=student)
            except WorkforceError as error:
                add_form.add_error("student_number", str(error))
            else:
                messages.success(request, _("%(code)s is added to the conference.") % {"code": case.code})
                return redirect(conference)
        status = 400
    cases = list(conference.cases.select_related("student__class_group").prefetch_related("tasks__assignee"))
    named = scope.named_students(user, [case.student for case in cases])
    rows = [(case, case.student_id in named) for case in cases]
    with transaction.atomic():
        events = [read_event(Read.CONFERENCE, detail={"conference": conference.pk})]
        events += _reads(Read.CONFERENCE, [c.student for c in cases if c.student_id in named], tier=Tier.T3,
                         conference=conference.pk)  # fmt: skip
        record_reads(request, events)
        return render(request, "workforce/conference_detail.html", {
            "conference": conference, "attendees": list(conference.attendees.order_by("username")), "rows": rows,
            "keeper": keeper, "add_form": add_form,
        }, status=status)  # fmt: skip


@staff_only
def conference_case(request, pk):
    user = request.user
    case = scope.get_case_for_user(user, pk)
    conference = case.conference
    keeper = scope.may_keep_conference(user, conference)
    named = case.student_id in scope.named_students(user, [case.student])
    people = scope.staff_of_school(conference.school_id)
    case_form = CaseForm(initial={"notes": case.notes, "conclusion": case.conclusion}, with_notes=named)
    task_form = TaskForm(people=people)
    status = 200
    if request.method == "POST":
        if not keeper:
            raise Http404
        action = request.POST.get("action")
        if action == "save":
            case_form = CaseForm(request.POST, with_notes=named)
            if case_form.is_valid():
                data = case_form.cleaned_data
                try:
                    services.save_case(
                        case, by=user, conclusion=data["conclusion"], notes=data.get("notes") if named else None
                    )
                except WorkforceError as error:
                    case_form.add_error(None, str(error))
                else:
                    messages.success(request, _("The case's record is saved."))
                    return redirect(case)
        elif action == "task":
            task_form = TaskForm(request.POST, people=people)
            if task_form.is_valid():
                data = task_form.cleaned_data
                try:
                    services.add_task(
                        case, by=user, text=data["text"], assignee=data["assignee"], due_on=data["due_on"]
                    )
                except WorkforceError as error:
                    task_form.add_error(None, str(error))
                else:
                    messages.success(request, _("The task is given."))
                    return redirect(case)
        status = 400
    tasks = list(case.tasks.select_related("assignee", "done_by"))
    with transaction.atomic():
        if named:
            record_read(request, Read.CONFERENCE_CASE, student=case.student, tier=Tier.T3, detail={"case": case.pk})
        else:
            record_read(request, Read.CONFERENCE_CASE, detail={"case": case.pk, "coded": True})
        return render(request, "workforce/conference_case.html", {
            "case": case, "conference": conference, "named": named, "keeper": keeper, "tasks": tasks,
            "case_form": case_form, "task_form": task_form,
        }, status=status)  # fmt: skip


@staff_only
def conference_task(request, pk):
    user = request.user
    task = scope.get_task_for_user(user, pk)
    status = 200
    if request.method == "POST":
        try:
            services.complete_task(task, by=user, note=request.POST.get("note", ""))
        except WorkforceError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("The task is recorded as done."))
            return redirect(task)
    ((task, name),) = _task_rows(user, [task])
    with transaction.atomic():
        if name:
            record_read(
                request, Read.CONFERENCE_TASK, student=task.case.student, tier=Tier.T2, detail={"task": task.pk}
            )
        else:
            record_read(request, Read.CONFERENCE_TASK, detail={"task": task.pk, "coded": True})
        return render(request, "workforce/conference_task.html", {
            "task": task, "name": name, "may_complete": task.done_at is None and scope.may_complete_task(user, task),
            "today": timezone.localdate(),
        }, status=status)  # fmt: skip
