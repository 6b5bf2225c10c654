"""Sessions: the centre's list (dates and kinds, T3), recording a session, and its record (T4: notes,
addenda, intake, the confidentiality exception) for the treating counsellor and the supervisors only.
Pages that show notes need a recent step-up and are audited at T4."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.stepup import step_up_required
from xinyu.counselling import scope, services
from xinyu.counselling.forms import AddendumForm, ExceptionForm, IntakeForm, SessionForm
from xinyu.counselling.models import Intake, Session
from xinyu.counselling.views.staff import counsellor_view
from xinyu.org.access_log import (
    Read,
    read_event,
    record_read,
    record_reads,
)
from xinyu.org.scope import Tier

SESSIONS_SHOWN = 200


def _post(user, session) -> str:
    return "treating_counsellor" if session.counsellor_id == user.pk else "centre_supervisor"


@counsellor_view
def session_list(request):
    """The centre's sessions; `?student_number=` opens a session record without a booking (walk-in, crisis)."""
    user = request.user
    number = (request.GET.get("student_number") or "").strip()
    if number:
        student = scope.counselling_students_for(user).filter(student_number=number).first()
        if student is not None:
            return redirect("counselling:session_new_walk_in", student_id=student.pk)
        messages.error(request, _("No student with the student number %(number)s.") % {"number": number[:20]})
    sessions = list(
        scope.sessions_for(user)
        .select_related("student__class_group", "counsellor")
        .order_by("-held_at", "-pk")[:SESSIONS_SHOWN]
    )
    readable = set(scope.session_records_for(user).filter(pk__in=[s.pk for s in sessions]).values_list("pk", flat=True))
    for session in sessions:
        session.readable = session.pk in readable
    students = {session.student_id: session.student for session in sessions}
    with transaction.atomic():
        record_reads(
            request,
            [
                read_event(Read.SESSION_LIST, student=student, tier=Tier.T3, post="centre")
                for student in students.values()
            ],
        )
        return render(request, "counselling/session_list.html", {"sessions": sessions})


def _session_form_page(request, *, student, booking=None):
    slot = booking.slot if booking else None
    initial = SessionForm.initial_for(held_at=slot.starts_at if slot else None, minutes=slot.minutes if slot else 50)
    form = SessionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.record_session(
                    student, by=request.user, booking=booking, kind=data["kind"], held_at=data["held_at"],
                    duration_minutes=data["duration_minutes"], risk_level=data["risk_level"],
                    next_step=data["next_step"], notes=data["notes"],
                )  # fmt: skip
            except services.CounsellingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The session is recorded."))
                if session.session_number == 1:
                    return redirect("counselling:intake", pk=session.pk)
                return redirect("counselling:session_detail", pk=session.pk)
        status = 400
    with transaction.atomic():
        record_read(request, Read.SESSION_FORM, student=student, tier=Tier.T3, post="centre")
        return render(
            request,
            "counselling/session_form.html",
            {"form": form, "student": student, "booking": booking, "session": None},
            status=status,
        )


@counsellor_view
def session_new(request, booking_id):
    """Record the session of a booking: the slot's counsellor only."""
    booking = scope.get_booking_to_record_for_user(request.user, booking_id)
    return _session_form_page(request, student=booking.student, booking=booking)


@counsellor_view
def session_new_walk_in(request, student_id):
    """A session without a booking (a walk-in, a crisis): any counsellor of the student's school."""
    student = scope.get_counselling_student_for_user(request.user, student_id)
    return _session_form_page(request, student=student)


@counsellor_view
@step_up_required
def session_detail(request, pk):
    user = request.user
    session = scope.get_session_record_for_user(user, pk)
    addenda = list(session.addenda.select_related("author"))
    intake = Intake.objects.filter(session=session).first()
    may_write = scope.may_write_session(user, session)
    locked = services.is_locked(session)
    is_first = not Session.objects.filter(student_id=session.student_id, held_at__lt=session.held_at).exists()
    with transaction.atomic():
        record_read(
            request,
            Read.SESSION_NOTES,
            student=session.student,
            tier=Tier.T4,
            post=_post(user, session),
            detail={"session": session.pk},
        )
        return render(
            request,
            "counselling/session_detail.html",
            {
                "session": session,
                "student": session.student,
                "addenda": addenda,
                "intake": intake,
                "may_write": may_write,
                "locked": locked,
                "lock_at": services.lock_at(session),
                "is_first": is_first,
                "addendum_form": AddendumForm(),
            },
        )


@counsellor_view
@step_up_required
def session_edit(request, pk):
    session = scope.get_session_to_write_for_user(request.user, pk)
    if services.is_locked(session):
        messages.error(request, _("The notes are locked; add an addendum instead."))
        return redirect("counselling:session_detail", pk=session.pk)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_session(session, by=request.user, **data)
            except services.CounsellingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The record is saved."))
                return redirect("counselling:session_detail", pk=session.pk)
        status = 400
    with transaction.atomic():
        record_read(
            request,
            Read.SESSION_NOTES,
            student=session.student,
            tier=Tier.T4,
            post="treating_counsellor",
            detail={"session": session.pk, "editing": True},
        )
        return render(
            request,
            "counselling/session_form.html",
            {"form": form, "student": session.student, "booking": session.booking, "session": session},
            status=status,
        )


@counsellor_view
@step_up_required
def addendum_add(request, pk):
    session = scope.get_session_to_write_for_user(request.user, pk)
    if request.method != "POST":
        raise Http404
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.add_addendum(session, by=request.user, text=form.cleaned_data["text"])
        except services.CounsellingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The addendum is added."))
    else:
        messages.error(request, _("Please write the addendum."))
    return redirect("counselling:session_detail", pk=session.pk)


@counsellor_view
@step_up_required
def intake(request, pk):
    session = scope.get_session_to_write_for_user(request.user, pk)
    existing = Intake.objects.filter(session=session).first()
    initial = {name: getattr(existing, name) for name in services.INTAKE_FIELDS} if existing else {}
    form = IntakeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_intake(session, by=request.user, **form.cleaned_data)
            except services.CounsellingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The intake form is saved."))
                return redirect("counselling:session_detail", pk=session.pk)
        status = 400
    with transaction.atomic():
        if existing:
            record_read(
                request,
                Read.INTAKE,
                student=session.student,
                tier=Tier.T4,
                post="treating_counsellor",
                detail={"session": session.pk},
            )
        return render(
            request,
            "counselling/intake.html",
            {"form": form, "session": session, "student": session.student, "locked": services.is_locked(session)},
            status=status,
        )


@counsellor_view
@step_up_required
@transaction.atomic  # the page's read and its audit entry commit together
def session_exception(request, pk):
    """Raise a concern report from the session (risk of harm): the confidentiality exception."""
    session = scope.get_session_record_for_user(request.user, pk)
    if session.exception_used:
        messages.error(request, _("A concern report was already raised from this session."))
        return redirect("counselling:session_detail", pk=session.pk)
    form = ExceptionForm(request.POST or None, initial={"urgency": "urgent", "category": "self_harm"})
    status = 200
    if request.method != "POST":  # the page names the student and the session: a read of the centre's T3
        record_read(request, Read.EXCEPTION_FORM, student=session.student, tier=Tier.T3,
                  post="centre")  # fmt: skip
    if request.method == "POST":
        if form.is_valid():
            try:
                services.use_confidentiality_exception(session, by=request.user, **form.cleaned_data)
            except services.CounsellingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The concern report is raised and the exception is recorded."))
                return redirect("counselling:session_detail", pk=session.pk)
        status = 400
    return render(
        request,
        "counselling/exception.html",
        {"form": form, "session": session, "student": session.student, "now": timezone.now()},
        status=status,
    )
