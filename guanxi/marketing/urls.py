from django.urls import path

from .views import campaigns, imports, leads, web_forms

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
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/preview/", campaigns.campaign_preview, name="campaign_preview"),
    path("campaigns/opt-outs/", campaigns.opt_out_list, name="opt_outs"),
    path("campaigns/opt-outs/<int:opt_out_id>/withdraw/", campaigns.opt_out_withdraw, name="opt_out_withdraw"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/launch/", campaigns.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:campaign_id>/cancel/", campaigns.campaign_cancel, name="campaign_cancel"),
    path("campaigns/<int:campaign_id>/responses/", campaigns.response_create, name="campaign_response"),
    path("campaigns/<int:campaign_id>/expenses/", campaigns.expense_create, name="campaign_expense"),
    path("campaigns/<int:campaign_id>/expenses/<int:expense_id>/decide/", campaigns.expense_decide,
         name="campaign_expense_decide"),
]
urlpatterns += [
    path("web-forms/", web_forms.web_form_list_page, name="web_forms"),
    path("web-forms/new/", web_forms.web_form_edit, name="web_form_create"),
    path("web-forms/<int:web_form_id>/", web_forms.web_form_edit, name="web_form_edit"),
]
