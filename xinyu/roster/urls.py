from django.urls import path

from xinyu.roster import views

app_name = "roster"
urlpatterns = [
    path("import/", views.import_roster, name="import"),
    path("export/students/", views.export_students, name="export_students"),
]
