from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("rules/<int:rule_id>/", views.rule_detail, name="rule_detail"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:action_id>/complete/", views.task_complete, name="task_complete"),
]
