from django.urls import path

from xinyu.studentfile import views

app_name = "studentfile"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("<id:student_id>/", views.file, name="file"),
    path("<id:student_id>/print/", views.file_print, name="file_print"),
    path("<id:student_id>/export/", views.file_export, name="file_export"),
    path("<id:student_id>/access-log/", views.access_log, name="access_log"),
]
