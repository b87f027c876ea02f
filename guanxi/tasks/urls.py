from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.my_work, name="today"),
    path("list/", views.task_list, name="list"),
    path("calendar/", views.task_calendar, name="calendar"),
    path("new/", views.task_create, name="create"),
    path("<int:task_id>/", views.task_detail, name="detail"),
    path("<int:task_id>/complete/", views.task_complete, name="complete"),
    path("<int:task_id>/cancel/", views.task_cancel, name="cancel"),
    path("<int:task_id>/reassign/", views.task_reassign, name="reassign"),
]
