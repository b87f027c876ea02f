from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import care_demo_load

    return care_demo_load


class CareConfig(AppConfig):
    name = "guanxi.care"
    label = "care"
    verbose_name = _("Customer care")

    def ready(self):
        from guanxi.customers.timeline import register_timeline_source

        from .timeline import CARE_EVENTS_IN, care_events

        register_timeline_source(care_events, present_in=CARE_EVENTS_IN)
        register_demo_step(DeferredStep(_demo))
