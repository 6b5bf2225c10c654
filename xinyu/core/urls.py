from django.urls import path

from xinyu.core import interviews, my_work, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("my-work/", my_work.my_work, name="my_work"),
    path("interviews/", interviews.interview_list, name="interview_list"),
    path("interviews/<id:pk>/", interviews.interview_detail, name="interview_detail"),
]
