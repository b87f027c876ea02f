"""The customer's web survey, outside the staff area and without sign-in: /s/<token>/."""

from django.urls import path

from . import views

app_name = "surveys_public"
urlpatterns = [path("<str:survey_token>/", views.survey_answer, name="answer")]
