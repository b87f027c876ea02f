from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:care_rule_id>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:care_rule_id>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:care_rule_id>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("rules/<int:care_rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:care_action_id>/complete/", views.task_complete, name="task_complete"),
]
