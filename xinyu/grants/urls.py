from django.urls import path

from xinyu.grants.views import posts, resets

app_name = "grants"
urlpatterns = [
    path("network/posts/", posts.posts, name="posts"),
    path("network/posts/new/", posts.appoint, name="appoint"),
    path("network/posts/<id:pk>/end/", posts.end_post, name="end_post"),
    path("network/grants/", posts.grants, name="grants"),
    path("network/grants/<id:pk>/<slug:decision>/", posts.grant_decision, name="grant_decision"),
    path("accounts/people/", resets.people, name="people"),
    path("accounts/people/<id:pk>/reset/", resets.reset_request, name="reset_request"),
    path("accounts/resets/", resets.reset_list, name="resets"),
    path("accounts/resets/<id:pk>/<slug:decision>/", resets.reset_decision, name="reset_decision"),
    path("accounts/reset/", resets.reset_with_code, name="reset_with_code"),
    path("accounts/reset/<str:token>/", resets.reset_with_link, name="reset_with_link"),
]
