from django.urls import path

from . import views

app_name = "key_accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("export.csv", views.account_export, name="export"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("designate/<int:customer_id>/", views.designate, name="designate"),
    path("<int:key_account_id>/", views.account_detail, name="detail"),
    path("<int:key_account_id>/de-designate/", views.dedesignate, name="dedesignate"),
    path("<int:key_account_id>/people/", views.person_add, name="person_add"),
    path("<int:key_account_id>/competitors/", views.competitor_add, name="competitor_add"),
    path("<int:key_account_id>/plan/", views.plan, name="plan"),
    path("<int:key_account_id>/green/", views.green_list, name="green_account"),
    path("<int:key_account_id>/visits/", views.visit_list, name="visits_account"),
    path("green/", views.green_list, name="green"),
    path("green/<int:process_id>/", views.green_detail, name="green_detail"),
    path("green/documents/<int:green_document_id>/", views.green_document, name="green_document"),
    path("green/templates/", views.green_templates, name="green_templates"),
    path("green/templates/new/", views.green_template_edit, name="green_template_new"),
    path("green/templates/<int:green_template_id>/", views.green_template_edit, name="green_template_edit"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/export.csv", views.visit_export, name="visits_export"),
    path("<int:key_account_id>/change/", views.account_change, name="change"),
    path("<int:key_account_id>/dashboard/", views.account_dashboard, name="account_dashboard"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("red-channel/", views.red_board, name="red_board"),
    path("red-channel/rules/", views.red_rules, name="red_rules"),
    path("red-channel/rules/new/", views.red_rule_edit, name="red_rule_new"),
    path("red-channel/rules/<int:red_rule_id>/", views.red_rule_edit, name="red_rule_edit"),
    path("red-channel/rules/<int:red_rule_id>/deactivate/", views.red_rule_deactivate, name="red_rule_deactivate"),
]
