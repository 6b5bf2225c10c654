from django.urls import path

from xinyu.courses import views

app_name = "courses"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.course_edit, name="course_new"),
    path("<id:pk>/", views.course, name="course"),
    path("<id:pk>/edit/", views.course_edit, name="course_edit"),
    path("<id:course_id>/sections/new/", views.section_edit, name="section_new"),
    path("sections/<id:pk>/", views.section, name="section"),
    path("sections/<id:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<id:pk>/teachers/", views.section_teacher, name="section_teacher"),
    path(
        "sections/<id:pk>/teachers/<id:teacher_id>/remove/", views.section_teacher_remove, name="section_teacher_remove"
    ),
    path("sections/<id:pk>/classes/", views.section_classes, name="section_classes"),
    path("sections/<id:pk>/classes/<id:class_id>/remove/", views.section_class_remove, name="section_class_remove"),
    path("sections/<id:pk>/students/", views.section_student, name="section_student"),
    path(
        "sections/<id:pk>/students/<id:student_id>/remove/", views.section_student_remove, name="section_student_remove"
    ),
    path("sections/<id:pk>/export.xlsx", views.section_export, name="section_export"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<id:college_id>/", views.coverage_college, name="coverage_college"),
]
