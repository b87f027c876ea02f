from django.urls import path

from . import views

app_name = "warranty"
urlpatterns = [
    path("", views.warranty_home, name="home"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision"),
    path("serials/<str:serial>/", views.serial_detail, name="serial"),
]
