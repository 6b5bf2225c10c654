from django.urls import path

from xinyu.roster import views

app_name = "roster"
urlpatterns = [
    path("import/", views.import_roster, name="import"),
    path("import/template/", views.template, name="template"),
    path("import/<id:pk>/", views.job_detail, name="job"),
    path("import/<id:pk>/confirm/", views.job_confirm, name="confirm"),
    path("import/<id:pk>/problems.csv", views.job_problems, name="problems"),
    path("export/students/", views.export_students, name="export_students"),
]
