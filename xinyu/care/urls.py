from django.urls import path

from xinyu.care import views

app_name = "care"

urlpatterns = [
    path("registry/", views.registry_list, name="registry"),
    path("registry/review-list/", views.review_list, name="review_list"),
    path("students/<id:student_id>/propose/", views.entry_propose, name="entry_propose"),
    path("entries/<id:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<id:pk>/confirm/", views.entry_confirm, name="entry_confirm"),
    path("entries/<id:pk>/review/", views.entry_review, name="entry_review"),
    path("entries/<id:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("entries/<id:pk>/notes/", views.plan_note, name="plan_note"),
    path("entries/<id:pk>/removal/", views.removal_request, name="removal_request"),
    path("entries/<id:pk>/removal/decision/", views.removal_decision, name="removal_decision"),
]
