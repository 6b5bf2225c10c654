from django.urls import path

from xinyu.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.index, name="index"),
    path("hospitals/", views.hospitals, name="hospitals"),
    path("students/<id:student_id>/refer/", views.referral_new, name="referral_new"),
    path("<id:pk>/", views.referral_detail, name="referral_detail"),
    path("<id:pk>/confidential/", views.referral_clinical, name="referral_clinical"),
    path("students/<id:student_id>/leave/", views.leave_new, name="leave_new"),
    path("leaves/<id:pk>/", views.leave_detail, name="leave_detail"),
    path("leaves/<id:pk>/confidential/", views.leave_confidential, name="leave_confidential"),
]
