"""The public lead forms, outside the staff area: /l/<slug>/."""

from django.urls import path

from .views import public

app_name = "marketing_public"
urlpatterns = [
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", public.public_form, name="form"),
    path("<slug:slug>/thanks/", public.public_thanks, name="thanks"),
]
