from django.urls import path

from xinyu.screening.urls_results import urlpatterns as results_patterns
from xinyu.screening.views import campaigns, completion, instruments, questionnaire

app_name = "screening"

urlpatterns = [
    path("enter/", questionnaire.enter, name="enter"),
    path("answer/", questionnaire.answer, name="answer"),
    path("answer/consent/", questionnaire.consent, name="consent"),
    path("answer/save/", questionnaire.save, name="save"),
    path("answer/step/", questionnaire.step, name="step"),
    path("answer/submit/", questionnaire.submit, name="submit"),
    path("answer/done/", questionnaire.done, name="done"),
    path("mine/", questionnaire.my_campaigns, name="my_campaigns"),
    path("mine/results/", questionnaire.my_results, name="my_results"),
    path("mine/<int:pk>/start/", questionnaire.start_mine, name="start_mine"),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/completion/", completion.completion, name="completion"),
    path(
        "campaigns/<int:pk>/completion/<int:class_group_id>/remind/",
        completion.completion_remind,
        name="completion_remind",
    ),
    path("instruments/", instruments.instrument_list, name="instrument_list"),
    path("instruments/import/", instruments.instrument_import, name="instrument_import"),
    path("instruments/<int:pk>/", instruments.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/activate/", instruments.instrument_activate, name="instrument_activate"),
    path("sittings/", campaigns.sitting_list, name="sitting_list"),
    path("sittings/open/", campaigns.sitting_open, name="sitting_open"),
    path("sittings/<int:pk>/", campaigns.sitting_detail, name="sitting_detail"),
    path("sittings/<int:pk>/print/", campaigns.sitting_print, name="sitting_print"),
    *results_patterns,  # results and interviews (the triage side)
]
