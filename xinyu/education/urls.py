from django.urls import path

from xinyu.education import views

app_name = "education"

urlpatterns = [
    path("plans/", views.plan_list, name="plans"),
    path("plans/<id:pk>/", views.plan_detail, name="plan"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<id:pk>/", views.activity_detail, name="activity"),
    path("activities/<id:pk>/photos/<id:photo_id>/", views.activity_photo, name="photo"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<id:college_id>/", views.coverage_college, name="coverage_college"),
]
