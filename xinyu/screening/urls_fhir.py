"""FHIR R4 read endpoints, mounted at /fhir/ by xinyu/urls.py (views: xinyu/screening/views/fhir.py)."""

from django.urls import path

from xinyu.screening.views import fhir

app_name = "fhir"

urlpatterns = [
    path("Questionnaire/<id:pk>", fhir.questionnaire, name="questionnaire"),
    path("QuestionnaireResponse/<id:pk>", fhir.questionnaire_response_view, name="questionnaire_response"),
]
