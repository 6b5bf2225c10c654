from django.urls import path

from xinyu.care import views

app_name = "care"

urlpatterns = [
    path("registry/", views.registry_list, name="registry"),
    path("registry/review-list/", views.review_list, name="review_list"),
    path("students/<int:student_id>/propose/", views.entry_propose, name="entry_propose"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/confirm/", views.entry_confirm, name="entry_confirm"),
    path("entries/<int:pk>/review/", views.entry_review, name="entry_review"),
    path("entries/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("entries/<int:pk>/notes/", views.plan_note, name="plan_note"),
    path("entries/<int:pk>/removal/", views.removal_request, name="removal_request"),
    path("entries/<int:pk>/removal/decision/", views.removal_decision, name="removal_decision"),
    path("check-ins/", views.check_in_list, name="check_ins"),
    path("check-ins/<int:assignment_pk>/", views.check_in, name="check_in"),
]
