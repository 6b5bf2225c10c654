from django.urls import path

from xinyu.reports import views, views_annual, views_research

app_name = "reports"
urlpatterns = [
    path("monthly/", views.monthly_index, name="monthly_index"),
    path("monthly/grid/", views.monthly_grid, name="monthly_grid"),
    path("monthly/summary/<str:month>/", views.month_summary, name="month_summary"),
    path("monthly/<id:college_id>/<str:month>/", views.monthly_report, name="monthly"),
    path("monthly/<id:college_id>/<str:month>/docx/", views.monthly_docx, name="monthly_docx"),
    path("annual/<year:year>/", views_annual.annual_page, name="annual"),
    path("annual/<year:year>/docx/", views_annual.annual_docx, name="annual_docx"),
    path("decisions/<id:pk>/", views_annual.decision_page, name="decision"),
    path("status/<year:year>/", views_annual.status_page, name="status"),
    path("status/<year:year>/docx/", views_annual.status_docx, name="status_docx"),
    path("research/", views_research.studies, name="research"),
    path("research/<id:pk>/", views_research.study_page, name="research_study"),
    path("research/register/", views_research.outputs, name="research_outputs"),
]
