from django.urls import path

from . import views

app_name = "segments"
urlpatterns = [
    path("", views.segment_list, name="list"),
    path("new/", views.segment_create, name="create"),
    path("preview/", views.segment_preview, name="preview"),
    path("rule-row/", views.segment_rule_row, name="rule_row"),
    path("group/", views.segment_group, name="group"),
    path("analysis/", views.value_analysis, name="analysis"),
    path("analysis/recompute/", views.value_recompute, name="recompute"),
    path("value/<int:customer_id>/", views.customer_value_panel, name="customer_value"),
    path("<int:segment_id>/", views.segment_detail, name="detail"),
    path("<int:segment_id>/edit/", views.segment_edit, name="edit"),
    path("<int:segment_id>/delete/", views.segment_delete, name="delete"),
    path("<int:segment_id>/export.csv", views.segment_export, name="export"),
]
