from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import task_demo_load

    return task_demo_load


class TasksConfig(AppConfig):
    name = "guanxi.tasks"
    label = "tasks"
    verbose_name = _("Tasks and activities")

    def ready(self):
        from guanxi.core.navigation import register_home_panel
        from guanxi.customers.timeline import register_timeline_source

        from .timeline import TASK_EVENTS_IN, task_events
        from .views import home_panel

        register_home_panel(home_panel, "tasks/partials/_home_panel.html")
        register_timeline_source(task_events, present_in=TASK_EVENTS_IN)
        register_demo_step(DeferredStep(_demo))
