from django.urls import path

from xinyu.training import views

app_name = "training"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("report/", views.report, name="report"),
    path("certificates/<id:pk>/", views.certificate, name="certificate"),
    path("people/", views.overview, name="overview"),
    path("people/<id:pk>/", views.person, name="person"),
    path("events/", views.events, name="events"),
    path("events/new/", views.event_edit, name="event_new"),
    path("events/<id:pk>/", views.event, name="event"),
    path("events/<id:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<id:pk>/attendees/", views.attendance_add, name="attendance_add"),
    path("attendances/<id:pk>/remove/", views.attendance_remove, name="attendance_remove"),
    path("attendances/<id:pk>/certificate/", views.attendance_certificate, name="attendance_certificate"),
    path("pending/", views.pending, name="pending"),
    path("pending/<id:pk>/", views.decide, name="decide"),
]
