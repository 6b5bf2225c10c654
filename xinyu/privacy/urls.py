from django.urls import path

from xinyu.privacy import log_views, retention_views, views

app_name = "privacy"

urlpatterns = [
    path("break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/list/", views.break_glass_list, name="break_glass_list"),
    path("break-glass/<id:pk>/", views.break_glass_detail, name="break_glass_detail"),
    path("break-glass/<id:pk>/end/", views.break_glass_end, name="break_glass_end"),
    path("break-glass/<id:pk>/review/", views.break_glass_review, name="break_glass_review"),
    path("mine/", views.mine, name="mine"),
    path("log/", log_views.log, name="log"),
    path("retention/", retention_views.retention, name="retention"),
    path("consents/<id:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
