from django.urls import path

from .views import imports, leads

app_name = "marketing"
urlpatterns = [
    path("leads/", leads.lead_list, name="leads"),
    path("leads/new/", leads.lead_create, name="lead_create"),
    path("leads/import/", imports.lead_import, name="lead_import"),
    path("leads/import/<int:lead_import_id>/", imports.lead_import_job, name="lead_import_job"),
    path("leads/import/<int:lead_import_id>/status/", imports.lead_import_status, name="lead_import_status"),
    path("leads/import/<int:lead_import_id>/mapping/", imports.lead_import_mapping, name="lead_import_mapping"),
    path("leads/import/<int:lead_import_id>/commit/", imports.lead_import_commit, name="lead_import_commit"),
    path("leads/import/<int:lead_import_id>/report/", imports.lead_import_report, name="lead_import_report"),
    path("leads/<int:lead_id>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/contact/", leads.lead_action, {"action": "contact"}, name="lead_contact"),
    path("leads/<int:lead_id>/qualify/", leads.lead_action, {"action": "qualify"}, name="lead_qualify"),
    path("leads/<int:lead_id>/disqualify/", leads.lead_action, {"action": "disqualify"}, name="lead_disqualify"),
    path("leads/<int:lead_id>/reopen/", leads.lead_action, {"action": "reopen"}, name="lead_reopen"),
]
