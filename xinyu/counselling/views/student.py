"""The student's side, on a phone: open times, booking, changing and cancelling, "my bookings"."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import signed_in, student_only
from xinyu.counselling import scope, services
from xinyu.counselling.forms import BookingForm
from xinyu.counselling.models import Booking

OPEN_SLOTS_SHOWN = 120


def _student(request):
    student = scope.own_student(request.user)
    if student is None:
        raise Http404
    return student


def open_slots(student, *, now=None):
    """Future times of the student's school that nobody holds, soonest first."""
    now = now or timezone.now()
    return (
        scope.slots_for_student(student)
        .filter(starts_at__gt=now)
        .exclude(bookings__status__in=Booking.HOLDS_SLOT)
        .select_related("room", "counsellor")
        .order_by("starts_at", "pk")[:OPEN_SLOTS_SHOWN]
    )


@student_only
def my_bookings(request):
    student = _student(request)
    bookings = list(
        Booking.objects.filter(student=student)
        .select_related("slot__room", "slot__counsellor")
        .order_by("-slot__starts_at", "-pk")[:50]
    )
    now = timezone.now()
    for booking in bookings:
        booking.may_change = services.may_student_change(booking, now)
        booking.change_until = services.cancel_deadline(booking)
    has_open = any(booking.is_open for booking in bookings)
    return render(request, "counselling/my_bookings.html", {"bookings": bookings, "has_open": has_open})


@signed_in
def booking_start(request):
    """Where the public page's "book online" leads: a student to the open times; a staff member, who has
    no booking of their own, to a page that says so instead of a 404."""
    if request.user.is_student:
        return redirect("counselling:slot_list")
    return render(request, "counselling/booking_for_students.html")


@student_only
def slot_list(request):
    student = _student(request)
    return render(request, "counselling/slot_list.html", {"slots": list(open_slots(student)), "changing": None})


@student_only
def book(request, slot_id):
    student = _student(request)
    slot = scope.get_open_slot_for_student(student, slot_id)
    form = BookingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.book(student, slot, reason=form.cleaned_data["reason"], by=request.user)
            except services.CounsellingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your booking is sent. The counsellor will confirm it."))
                return redirect("counselling:my_bookings")
        status = 400
    return render(request, "counselling/book.html", {"slot": slot, "form": form}, status=status)


@student_only
def booking_change(request, pk):
    booking = scope.get_own_booking(request.user, pk)
    if request.method == "POST":
        new_slot = scope.get_open_slot_for_student(booking.student, request.POST.get("slot"))
        try:
            services.change_booking(booking, new_slot, by=request.user)
        except services.CounsellingError as error:
            messages.error(request, str(error))
            return redirect("counselling:booking_change", pk=booking.pk)
        messages.success(request, _("Your booking is moved. The counsellor will confirm the new time."))
        return redirect("counselling:my_bookings")
    if not services.may_student_change(booking):
        messages.error(request, _("This booking can no longer be changed."))
        return redirect("counselling:my_bookings")
    slots = [slot for slot in open_slots(booking.student) if slot.pk != booking.slot_id]
    return render(request, "counselling/slot_list.html", {"slots": slots, "changing": booking})


@student_only
@require_POST
def booking_cancel(request, pk):
    booking = scope.get_own_booking(request.user, pk)
    try:
        with transaction.atomic():
            services.cancel_booking(booking, by=request.user)
    except services.CounsellingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("counselling:my_bookings")
