from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _value_demo():
    from .demo import value_demo_load

    return value_demo_load


class SegmentsConfig(AppConfig):
    name = "guanxi.segments"
    label = "segments"
    verbose_name = _("Segments and customer value")

    def ready(self):
        from guanxi.core.demo import DeferredStep, register_demo_step

        # After the customers app's own steps, which make the transaction ledger it reads; imported
        # when the demo runs.
        register_demo_step(DeferredStep(_value_demo))
