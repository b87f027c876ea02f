from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("healthz/workers", views.healthz_workers, name="healthz_workers"),
    path("metrics", views.metrics_view, name="metrics"),
    path("", views.home, name="home"),
]
