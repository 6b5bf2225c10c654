"""Results, interviews: included by xinyu/screening/urls.py (app_name "screening")."""

from django.urls import path

from xinyu.screening.views import interviews, results

urlpatterns = [
    path("interviews/", interviews.interview_list, name="interview_list"),
    path("interviews/<id:pk>/", interviews.interview_detail, name="interview_detail"),
    path("results/students/<id:student_id>/", results.student_results, name="student_results"),
    path("results/campaigns/<id:campaign_id>/", results.campaign_results, name="campaign_results"),
    path("results/campaigns/<id:campaign_id>/export/", results.campaign_results_export, name="campaign_results_export"),
]
