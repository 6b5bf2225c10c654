from django.urls import path

from xinyu.workforce import views, views_statement

app_name = "workforce"
urlpatterns = [
    path("supervision/", views.supervision_index, name="supervision"),
    path("supervision/new/", views.request_new, name="request_new"),
    path("supervision/<id:pk>/", views.request_detail, name="request_detail"),
    path("supervision/sessions/new/", views.session_new, name="session_new"),
    path("supervision/sessions/<id:pk>/", views.session_detail, name="session_detail"),
    path("conferences/", views.conference_list, name="conferences"),
    path("conferences/new/", views.conference_new, name="conference_new"),
    path("conferences/<id:pk>/", views.conference_detail, name="conference_detail"),
    path("conferences/cases/<id:pk>/", views.conference_case, name="conference_case"),
    path("conferences/tasks/<id:pk>/", views.conference_task, name="conference_task"),
    path("statement/", views_statement.statement, name="statement"),
    path("statement/export/", views_statement.statement_export, name="statement_export"),
]
