from django.urls import path

from xinyu.accounts import sso_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/change/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("step-up/", views.step_up, name="step_up"),
    path("sso/cas/login/", sso_views.cas_login, name="sso_cas_login"),
    path("sso/cas/callback/", sso_views.cas_callback, name="sso_cas_callback"),
    path("sso/oidc/login/", sso_views.oidc_login, name="sso_oidc_login"),
    path("sso/oidc/callback/", sso_views.oidc_callback, name="sso_oidc_callback"),
]
