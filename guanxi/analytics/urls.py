from django.urls import path

from .views import churn

app_name = "analytics"
urlpatterns: list = [
    path("churn/", churn.churn_overview, name="churn"),
    path("churn/train/", churn.churn_train, name="churn_train"),
    path("churn/customers/<int:customer_id>/", churn.churn_customer, name="churn_customer"),
]
