from django.urls import path

from . import views

app_name = "offers"
urlpatterns = [
    path("models/", views.model_page, name="models"),
    path("models/train/", views.model_train, name="train"),
    path("customers/<int:customer_id>/feedback/", views.offer_feedback, name="feedback"),
]
