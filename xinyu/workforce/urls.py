from django.urls import path

from xinyu.workforce import views_statement

app_name = "workforce"
urlpatterns = [
    path("statement/", views_statement.statement, name="statement"),
    path("statement/export/", views_statement.statement_export, name="statement_export"),
]
