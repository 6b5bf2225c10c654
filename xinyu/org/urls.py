from django.urls import path

from xinyu.org import views

app_name = "org"
urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/<id:pk>/", views.student_detail, name="student_detail"),
    path("classes/<id:pk>/", views.class_group, name="class_group"),
    path("network/", views.network, name="network"),
]
