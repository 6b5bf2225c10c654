from django.urls import path

from xinyu.concerns.views import cards, cases

urlpatterns = [
    path("cases/<id:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<id:pk>/raise/", cases.case_raise, name="case_raise"),
    path("cases/<id:pk>/lower/", cases.case_lower, name="case_lower"),
    path("cases/<id:pk>/assessment/", cases.case_assessment, name="case_assessment"),
    path("cases/<id:pk>/steps/<id:step_pk>/acknowledge/", cases.case_step_acknowledge, name="case_step_acknowledge"),
    path("cases/<id:pk>/steps/<id:step_pk>/complete/", cases.case_step_complete, name="case_step_complete"),
    path("cases/<id:pk>/family-contacts/", cases.case_family_contact, name="case_family_contact"),
    path("cases/<id:pk>/follow-ups/", cases.case_follow_up, name="case_follow_up"),
    path("cases/<id:pk>/review-support/", cases.case_review_support, name="case_review_support"),
    path("cases/<id:pk>/close/", cases.case_close, name="case_close"),
    path("cases/drills/new/", cases.case_new_drill, name="case_new_drill"),
    path("cards/", cards.cards, name="cards"),
    path("cards/<str:level>/", cards.card, name="card"),
]
