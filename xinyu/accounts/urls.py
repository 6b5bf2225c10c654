from django.urls import path

from xinyu.accounts import views, views_resets

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/change/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("step-up/", views.step_up, name="step_up"),
]
urlpatterns += [
    path("people/", views_resets.people, name="people"),
    path("people/<int:pk>/reset/", views_resets.reset_request, name="reset_request"),
    path("resets/", views_resets.reset_list, name="resets"),
    path("resets/<int:pk>/<slug:decision>/", views_resets.reset_decision, name="reset_decision"),
    path("reset/", views_resets.reset_with_code, name="reset_with_code"),
    path("reset/<str:token>/", views_resets.reset_with_link, name="reset_with_link"),
]
