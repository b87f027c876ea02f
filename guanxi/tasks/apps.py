from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "guanxi.tasks"
    label = "tasks"
    verbose_name = _("Tasks and activities")

    def ready(self):
        from guanxi.core.demo import register_demo_step
        from guanxi.core.navigation import register_home_panel
        from guanxi.customers.timeline import register_timeline_source

        from .demo import task_demo_load
        from .timeline import task_events
        from .views import home_panel

        register_home_panel(home_panel, "tasks/partials/_home_panel.html")
        register_timeline_source(task_events)
        register_demo_step(task_demo_load)
