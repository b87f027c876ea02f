from django.urls import path

from .views import customers as views
from .views import history as views_history
from .views import imports as import_views
from .views import merging as views_merge

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("export.csv", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail_view, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/timeline/", views_history.customer_timeline_view, name="timeline"),
    path("<int:customer_id>/interactions/", views_history.add_interaction, name="add_interaction"),
    path("<int:customer_id>/delete/", views.customer_delete, name="delete"),
    path("<int:customer_id>/contact-points/", views.add_contact_point, name="add_contact_point"),
    path("<int:customer_id>/addresses/", views.add_address, name="add_address"),
    path("<int:customer_id>/contacts/", views.add_contact, name="add_contact"),
    # Merging duplicates (views_merge)
    path("duplicates/", views_merge.duplicate_list, name="duplicates"),
    path("duplicates/<int:candidate_id>/", views_merge.duplicate_compare, name="duplicate_compare"),
    path("duplicates/<int:candidate_id>/dismiss/", views_merge.duplicate_dismiss, name="duplicate_dismiss"),
    path("duplicates/scan/", views_merge.dedupe_scan_start_view, name="dedupe_scan_start"),
    path("duplicates/scan/status/", views_merge.dedupe_scan_status, name="dedupe_scan_status"),
    path("<int:customer_id>/merges/", views_merge.merge_history, name="merge_history"),
    path("merges/<int:merge_id>/undo/", views_merge.merge_undo, name="merge_undo"),
    # Imports (import_views)
    path("imports/", import_views.import_list, name="imports"),
    path("imports/upload/", import_views.import_upload, name="import_upload"),
    path("imports/<int:job_id>/", import_views.import_job, name="import_job"),
    path("imports/<int:job_id>/mapping/", import_views.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/status/", import_views.import_job_status, name="import_job_status"),
    path("imports/<int:job_id>/commit/", import_views.import_commit, name="import_commit"),
    path("imports/<int:job_id>/report.csv", import_views.import_report, name="import_report"),
]
