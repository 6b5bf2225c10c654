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
    path("mine/<id:pk>/start/", questionnaire.start_mine, name="start_mine"),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<id:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<id:pk>/close/", campaigns.campaign_close, name="campaign_close"),
    path("campaigns/<id:pk>/completion/", completion.completion, name="completion"),
    path(
        "campaigns/<id:pk>/completion/<id:class_group_id>/remind/",
        completion.completion_remind,
        name="completion_remind",
    ),
    path("instruments/", instruments.instrument_list, name="instrument_list"),
    path("instruments/import/", instruments.instrument_import, name="instrument_import"),
    path("instruments/import/confirm/", instruments.instrument_import_confirm, name="instrument_import_confirm"),
    path("instruments/<id:pk>/", instruments.instrument_detail, name="instrument_detail"),
    path("instruments/<id:pk>/try/", instruments.instrument_try, name="instrument_try"),
    path("instruments/<id:pk>/activate/", instruments.instrument_activate, name="instrument_activate"),
    path("sittings/", campaigns.sitting_list, name="sitting_list"),
    path("sittings/open/", campaigns.sitting_open, name="sitting_open"),
    path("sittings/<id:pk>/", campaigns.sitting_detail, name="sitting_detail"),
    path("sittings/<id:pk>/print/", campaigns.sitting_print, name="sitting_print"),
    *results_patterns,  # results and interviews (the triage side)
]
