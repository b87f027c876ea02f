from django.urls import path

from . import views

app_name = "pool"
urlpatterns = [
    path("", views.pool_list, name="list"),
    path("mine/", views.pool_mine, name="mine"),
    path("rules/", views.pool_rules, name="rules"),
    path("rules/<int:rule_id>/toggle/", views.pool_rule_toggle, name="rule_toggle"),
    path("log/", views.pool_log, name="log"),
    path("customers/<int:customer_id>/claim/", views.pool_claim, {"kind": "customer"}, name="claim_customer"),
    path("leads/<int:lead_id>/claim/", views.pool_claim, {"kind": "lead"}, name="claim_lead"),
    path("customers/<int:customer_id>/release/", views.pool_release, {"kind": "customer"},
         name="release_customer"),
    path("leads/<int:lead_id>/release/", views.pool_release, {"kind": "lead"}, name="release_lead"),
]
