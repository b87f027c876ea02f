from django.urls import path

from .views import dashboard

from django.urls import path

from .views import explorer

app_name = "analytics"
urlpatterns: list = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/<slug:figure>/records/", dashboard.dashboard_records, name="dashboard_records"),
]
urlpatterns: list = [
    path("explorer/", explorer.explorer_page, name="explorer"),
    path("explorer/views/save/", explorer.explorer_view_save, name="explorer_view_save"),
    path("explorer/views/<int:explorer_view_id>/delete/", explorer.explorer_view_delete, name="explorer_view_delete"),
]
