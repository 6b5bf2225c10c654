from django.urls import path

from xinyu.org import views

app_name = "org"
urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("classes/<int:pk>/", views.class_group, name="class_group"),
    path("network/", views.network, name="network"),
]
urlpatterns += [
    path("network/posts/", views.posts, name="posts"),
    path("network/posts/new/", views.appoint, name="appoint"),
    path("network/posts/<int:pk>/end/", views.end_post, name="end_post"),
    path("network/grants/", views.grants, name="grants"),
    path("network/grants/<int:pk>/<slug:decision>/", views.grant_decision, name="grant_decision"),
]
