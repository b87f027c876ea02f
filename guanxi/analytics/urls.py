from django.urls import path

from .views import dashboard

app_name = "analytics"
urlpatterns: list = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/<slug:figure>/records/", dashboard.dashboard_records, name="dashboard_records"),
]
