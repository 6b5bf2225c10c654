"""Results: included by xinyu/screening/urls.py (app_name "screening")."""

from django.urls import path
from django.views.generic import RedirectView

from xinyu.common.access import staff_only
from xinyu.screening.views import results

urlpatterns = [
    # Interviews have their own pages now (xinyu.core.interviews); links in older notifications still work.
    path(
        "interviews/", staff_only(RedirectView.as_view(pattern_name="core:interview_list")), name="old_interview_list"
    ),
    path(
        "interviews/<id:pk>/",
        staff_only(RedirectView.as_view(pattern_name="core:interview_detail")),
        name="old_interview_detail",
    ),
    path("results/students/<id:student_id>/", results.student_results, name="student_results"),
    path("results/campaigns/<id:campaign_id>/", results.campaign_results, name="campaign_results"),
    path("results/campaigns/<id:campaign_id>/export/", results.campaign_results_export, name="campaign_results_export"),
]
