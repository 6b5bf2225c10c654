from django.urls import path

from xinyu.counselling.views import sessions, staff, student, workload

app_name = "counselling"

urlpatterns = [
    # Students, on a phone.
    path("my/", student.my_bookings, name="my_bookings"),
    path("book/", student.booking_start, name="booking_start"),
    path("times/", student.slot_list, name="slot_list"),
    path("times/<id:slot_id>/book/", student.book, name="book"),
    path("my/<id:pk>/change/", student.booking_change, name="booking_change"),
    path("my/<id:pk>/cancel/", student.booking_cancel, name="booking_cancel"),
    # The centre: rooms, availability, bookings.
    path("rooms/", staff.room_list, name="room_list"),
    path("rooms/new/", staff.room_edit, name="room_new"),
    path("rooms/<id:pk>/edit/", staff.room_edit, name="room_edit"),
    path("schedule/", staff.schedule, name="schedule"),
    path("schedule/new/", staff.availability_new, name="availability_new"),
    path("schedule/<id:pk>/withdraw/", staff.slot_withdraw, name="slot_withdraw"),
    path("bookings/<id:pk>/confirm/", staff.booking_confirm, name="booking_confirm"),
    path("bookings/<id:pk>/decline/", staff.booking_decline, name="booking_decline"),
    path("bookings/<id:pk>/no-show/", staff.booking_no_show, name="booking_no_show"),
    # Sessions.
    path("sessions/", sessions.session_list, name="session_list"),
    path("bookings/<id:booking_id>/session/", sessions.session_new, name="session_new"),
    path("students/<id:student_id>/session/", sessions.session_new_walk_in, name="session_new_walk_in"),
    path("sessions/<id:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<id:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<id:pk>/addenda/", sessions.addendum_add, name="addendum_add"),
    path("sessions/<id:pk>/intake/", sessions.intake, name="intake"),
    path("sessions/<id:pk>/exception/", sessions.session_exception, name="session_exception"),
    # Workload (课时保障).
    path("workload/", workload.workload, name="workload"),
    path("workload/export/", workload.workload_export, name="workload_export"),
]
