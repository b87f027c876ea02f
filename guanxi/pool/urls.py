from django.urls import path

from . import views

app_name = "pool"
urlpatterns = [
    path("", views.pool_list, name="list"),
    path("mine/", views.pool_mine, name="mine"),
    path("rules/", views.pool_rules, name="rules"),
    path("rules/<int:rule_id>/toggle/", views.pool_rule_toggle, name="rule_toggle"),
    path("log/", views.pool_log, name="log"),
    path("<str:kind>/<int:record_id>/claim/", views.pool_claim, name="claim"),
    path("<str:kind>/<int:record_id>/release/", views.pool_release, name="release"),
]
