from django.urls import path

from xinyu.concerns.views import board, checkins, duty, reports

urlpatterns = [
    path("report/", reports.report_new, name="report_new"),
    path("reports/mine/", reports.my_reports, name="my_reports"),
    path("reports/<id:pk>/thanks/", reports.report_thanks, name="report_thanks"),
    path("reports/<id:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<id:pk>/take/", reports.report_acknowledge, name="report_acknowledge"),
    path("reports/<id:pk>/triage/", reports.report_triage, name="report_triage"),
    path("check-ins/", checkins.check_in_list, name="check_ins"),
    path("check-ins/<id:assignment_pk>/", checkins.check_in, name="check_in"),
    path("board/", board.board, name="board"),
    path("duty/", duty.duty_roster, name="duty_roster"),
    path("duty/add/", duty.duty_shift_add, name="duty_shift_add"),
    path("duty/<id:pk>/remove/", duty.duty_shift_remove, name="duty_shift_remove"),
]
