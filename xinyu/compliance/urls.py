from django.urls import path

from xinyu.compliance import views, views_policy

app_name = "compliance"

urlpatterns = [
    path("", views.board, name="board"),
    path("export.xlsx", views.board_xlsx, name="board_xlsx"),
    path("export.docx", views.board_docx, name="board_docx"),
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/import/", views.ledger_import, name="ledger_import"),
    path("budget/", views.budget, name="budget"),
    path("qualifications/", views.qualifications, name="qualifications"),
    path("qualifications/<id:pk>/", views.qualification_edit, name="qualification_edit"),
    path("policy/", views_policy.policy, name="policy"),
    path("facilities/", views.facilities, name="facilities"),
    path("facilities/rooms/new/", views.room_edit, name="room_new"),
    path("facilities/rooms/<id:pk>/", views.room_edit, name="room_edit"),
    path("facilities/stations/<id:college_id>/", views.station_edit, name="station_edit"),
    path("facilities/stations/<id:college_id>/<str:kind>/", views.station_document, name="station_document"),
]
