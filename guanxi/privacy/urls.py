from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("customer/", views.customer_request, name="customer_request"),
    path("requests/<int:request_id>/", views.request_act, name="request_act"),
    path("access/", views.access_log, name="access_log"),
    path("retention/", views.retention_home, name="retention"),
    path("retention/preview/", views.retention_preview, name="retention_preview"),
    path("retention/rules/<int:retention_rule_id>/", views.retention_rule_edit, name="retention_rule"),
]
