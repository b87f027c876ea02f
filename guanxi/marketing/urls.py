from django.urls import path

from .views import leads

app_name = "marketing"
urlpatterns = [
    path("leads/", leads.lead_list, name="leads"),
    path("leads/new/", leads.lead_create, name="lead_create"),
    path("leads/import/", leads.lead_import, name="lead_import"),
    path("leads/<int:lead_id>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/contact/", leads.lead_action, {"action": "contact"}, name="lead_contact"),
    path("leads/<int:lead_id>/qualify/", leads.lead_action, {"action": "qualify"}, name="lead_qualify"),
    path("leads/<int:lead_id>/disqualify/", leads.lead_action, {"action": "disqualify"}, name="lead_disqualify"),
    path("leads/<int:lead_id>/reopen/", leads.lead_action, {"action": "reopen"}, name="lead_reopen"),
]
