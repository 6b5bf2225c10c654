"""The centre's side of appointments: rooms, publishing available times, the schedule with its
bookings (confirm, decline, no-show). Bookings name students: every page that lists them is audited (T3)."""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import requires
from xinyu.counselling import scope, services
from xinyu.counselling.forms import RoomForm, SlotRunForm
from xinyu.counselling.models import Booking, Room, Slot
from xinyu.org.access_log import Read, read_event, record_reads
from xinyu.org.models import School
from xinyu.org.scope import Tier

SCHEDULE_DAYS_BACK = 14
SCHEDULE_DAYS_AHEAD = 28

counsellor_view = requires(scope.is_counsellor, "counsellor")


def audit_bookings(request, bookings, what: Read) -> None:
    """One entry per student named on the page (T3: that they attend counselling)."""
    students = {booking.student_id: booking.student for booking in bookings}
    record_reads(
        request, [read_event(what, student=student, tier=Tier.T3, post="centre") for student in students.values()]
    )


@counsellor_view
def room_list(request):
    rooms = scope.rooms_for(request.user).order_by("name")
    return render(
        request, "counselling/room_list.html", {"rooms": rooms, "may_manage": scope.may_manage_rooms(request.user)}
    )


@requires(scope.may_manage_rooms, "rooms")
def room_edit(request, pk=None):
    """Add a room, or change one (its name, kind, location, whether it is in use)."""
    room = get_object_or_404(scope.rooms_for(request.user), pk=pk) if pk is not None else None
    school = room.school if room else School.objects.get(pk=min(scope.counselling_schools(request.user)))
    form = RoomForm(request.POST or None, instance=room, school=school)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The room is saved."))
        return redirect("counselling:room_list")
    return render(request, "counselling/room_form.html", {"form": form, "room": room})


@counsellor_view
def schedule(request):
    """My times in the coming weeks and the bookings on them; a supervisor also sees all requests waiting."""
    user = request.user
    now = timezone.now()
    start, end = now - dt.timedelta(days=SCHEDULE_DAYS_BACK), now + dt.timedelta(days=SCHEDULE_DAYS_AHEAD)
    slots = list(
        Slot.objects.filter(counsellor=user, withdrawn=False, starts_at__gte=start, starts_at__lt=end)
        .select_related("room")
        .order_by("starts_at", "pk")
    )
    bookings = {
        booking.slot_id: booking
        for booking in scope.bookings_for_staff(user)
        .filter(slot__in=[slot.pk for slot in slots], status__in=Booking.HOLDS_SLOT)
        .select_related("student__class_group", "session")
    }
    for slot in slots:
        slot.booking = bookings.get(slot.pk)
        slot.past = slot.starts_at <= now
    waiting = []
    if scope.is_counselling_supervisor(user):
        waiting = list(
            scope.bookings_for_staff(user)
            .filter(status=Booking.Status.REQUESTED, slot__starts_at__gt=now)
            .exclude(slot__counsellor=user)
            .select_related("slot__room", "slot__counsellor", "student__class_group")
        )
    with transaction.atomic():
        audit_bookings(request, [*bookings.values(), *waiting], Read.COUNSELLING_SCHEDULE)
        return render(request, "counselling/schedule.html", {"slots": slots, "waiting": waiting, "now": now})


@counsellor_view
def availability_new(request):
    rooms = scope.rooms_for(request.user).filter(active=True).exclude(kind__in=Room.NOT_BOOKABLE).order_by("name")
    form = SlotRunForm(request.POST or None, rooms=rooms)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                times = services.planned_times(
                    data["first_day"], data["start"], data["end"], slot_minutes=data["slot_minutes"],
                    break_minutes=data["break_minutes"], weeks=data["weeks"],
                )  # fmt: skip
                slots = services.publish_slots(request.user, data["room"], times, by=request.user)
            except services.CounsellingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("%(count)d available times are published.") % {"count": len(slots)})
                return redirect("counselling:schedule")
        status = 400
    return render(request, "counselling/availability_new.html", {"form": form}, status=status)


@counsellor_view
@require_POST
def slot_withdraw(request, pk):
    slot = scope.get_own_slot_for_user(request.user, pk)
    try:
        services.withdraw_slot(slot, by=request.user)
    except services.CounsellingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The time is withdrawn."))
    return redirect("counselling:schedule")


def _booking_action(request, pk, action, done_message):
    booking = scope.get_booking_to_handle_for_user(request.user, pk)
    try:
        action(booking, by=request.user)
    except services.CounsellingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return redirect("counselling:schedule")


@counsellor_view
@require_POST
def booking_confirm(request, pk):
    return _booking_action(request, pk, services.confirm_booking, _("The booking is confirmed."))


@counsellor_view
@require_POST
def booking_decline(request, pk):
    return _booking_action(request, pk, services.cancel_booking, _("The booking is cancelled; the student is told."))


@counsellor_view
@require_POST
def booking_no_show(request, pk):
    return _booking_action(request, pk, services.mark_no_show, _("The no-show is recorded."))
