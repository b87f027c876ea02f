from django.urls import path

from .views import churn, dashboard, explorer, hotspots, quality, reports, workbench

app_name = "analytics"
urlpatterns: list = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/<slug:figure>/records/", dashboard.dashboard_records, name="dashboard_records"),
    path("explorer/", explorer.explorer_page, name="explorer"),
    path("explorer/views/save/", explorer.explorer_view_save, name="explorer_view_save"),
    path("explorer/views/<int:explorer_view_id>/delete/", explorer.explorer_view_delete, name="explorer_view_delete"),
    path("hotspots/", hotspots.hotspot_page, name="hotspots"),
    path("hotspots/cases/", hotspots.hotspot_cases, name="hotspot_cases"),
    path("hotspots/run/", hotspots.hotspot_run, name="hotspot_run"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/<int:subscription_id>/delete/", reports.report_delete, name="report_delete"),
    path("reports/<int:subscription_id>/send/", reports.report_send_now, name="report_send_now"),
    path("reports/deliveries/<int:delivery_id>/pdf/", reports.report_delivery_pdf, name="report_delivery_pdf"),
    path("reports/received/", reports.report_received, name="report_received"),
    path("reports/files/<int:file_id>/", reports.report_file, name="report_file"),
    path("churn/", churn.churn_overview, name="churn"),
    path("churn/train/", churn.churn_train, name="churn_train"),
    path("churn/customers/<int:customer_id>/", churn.churn_customer, name="churn_customer"),
    path("workbench/", workbench.workbench_page, name="workbench"),
    path("workbench/<int:analysis_id>/", workbench.workbench_analysis, name="workbench_analysis"),
    path("workbench/<int:analysis_id>/segment/", workbench.workbench_segment_save, name="workbench_segment_save"),
    path("quality/", quality.quality_page, name="quality"),
    path("quality/<int:assessment_id>/", quality.quality_assessment, name="quality_assessment"),
]
