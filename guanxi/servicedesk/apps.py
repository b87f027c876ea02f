from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step
from guanxi.core.navigation import register_home_panel


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from .knowledge_index import ensure_sqlite_fts

    ensure_sqlite_fts(connections[using])


# The demo's modules, imported only when the demo runs (see guanxi.core.demo).
def _service_demo():
    from .demo.tickets import service_demo_load

    return service_demo_load


def _commitment_demo():
    from .demo.commitments import commitment_demo_load

    return commitment_demo_load


class ServicedeskConfig(AppConfig):
    name = "guanxi.servicedesk"
    verbose_name = _("Service desk")

    def ready(self):
        from guanxi.core.metrics import register_gauge
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.segments.effort import register_effort_source

        from .effort import case_effort
        from .metrics import breached_open_cases, open_cases
        from .timeline import COMMITMENT_EVENTS_IN, SERVICE_EVENTS_IN, commitment_events, service_events
        from .views.tickets import home_panel

        register_home_panel(home_panel, "servicedesk/partials/_home_panel.html")
        register_timeline_source(service_events, present_in=SERVICE_EVENTS_IN)
        register_timeline_source(commitment_events, present_in=COMMITMENT_EVENTS_IN)
        register_demo_step(DeferredStep(_service_demo))
        register_demo_step(DeferredStep(_commitment_demo))
        register_effort_source(case_effort)
        register_gauge("guanxi_cases_open", "Open cases (the queue's depth)", open_cases)
        register_gauge("guanxi_cases_breached_open", "Open cases past a service time limit", breached_open_cases)
        # Infrastructure hook, not business logic: SQLite table rebuilds drop FTS triggers.
        post_migrate.connect(_ensure_search_index, sender=self)
