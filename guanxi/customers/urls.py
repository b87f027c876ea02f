from django.urls import path

from .views import customers, dedupe, history, imports, merging

app_name = "customers"
urlpatterns = [
    path("", customers.customer_list, name="list"),
    path("new/", customers.customer_create, name="create"),
    path("export.csv", customers.customer_export, name="export"),
    path("<int:customer_id>/", customers.customer_detail_view, name="detail"),
    path("<int:customer_id>/edit/", customers.customer_edit, name="edit"),
    path("<int:customer_id>/timeline/", history.customer_timeline_view, name="timeline"),
    path("<int:customer_id>/interactions/", history.add_interaction, name="add_interaction"),
    path("<int:customer_id>/delete/", customers.customer_delete, name="delete"),
    path("<int:customer_id>/contact-points/", customers.add_contact_point, name="add_contact_point"),
    path("<int:customer_id>/addresses/", customers.add_address, name="add_address"),
    path("<int:customer_id>/contacts/", customers.add_contact, name="add_contact"),
    # Merging duplicates
    path("duplicates/", merging.duplicate_list, name="duplicates"),
    path("duplicates/<int:candidate_id>/", merging.duplicate_compare, name="duplicate_compare"),
    path("duplicates/<int:candidate_id>/dismiss/", merging.duplicate_dismiss, name="duplicate_dismiss"),
    path("duplicates/scan/", dedupe.dedupe_scan_start_view, name="dedupe_scan_start"),
    path("duplicates/scan/status/", dedupe.dedupe_scan_status, name="dedupe_scan_status"),
    path("<int:customer_id>/merges/", merging.merge_history, name="merge_history"),
    path("merges/<int:merge_id>/undo/", merging.merge_undo, name="merge_undo"),
    # Imports
    path("imports/", imports.import_list, name="imports"),
    path("imports/upload/", imports.import_upload, name="import_upload"),
    path("imports/<int:job_id>/", imports.import_job, name="import_job"),
    path("imports/<int:job_id>/mapping/", imports.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/status/", imports.import_job_status, name="import_job_status"),
    path("imports/<int:job_id>/commit/", imports.import_commit, name="import_commit"),
    path("imports/<int:job_id>/report.csv", imports.import_report, name="import_report"),
]
