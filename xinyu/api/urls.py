from django.urls import path, re_path

from xinyu.api import aggregates, concerns, docs, errors, network, roster

app_name = "api"
urlpatterns = [
    path("schema/", docs.schema_view(), name="schema"),
    path("docs/", docs.docs_view(), name="docs"),
    path("network/", network.NetworkView.as_view(), name="network"),
    path("aggregates/monthly-grid/", aggregates.GridView.as_view(), name="monthly_grid"),
    path("aggregates/month-summary/<str:month>/", aggregates.MonthSummaryView.as_view(), name="month_summary"),
    path("aggregates/monthly-reports/<str:month>/", aggregates.MonthlyReportsView.as_view(), name="monthly_reports"),
    path("concerns/reports/", concerns.ConcernReportView.as_view(), name="concern_report"),
    path("roster/sync/", roster.RosterSyncView.as_view(), name="roster_sync"),
    # Anything else under /api/v1/ (a month with a "/" or a line break in it too): the API's own 404.
    re_path(r"^[\s\S]*$", errors.not_found),
]
