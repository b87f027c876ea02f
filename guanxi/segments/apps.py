from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "guanxi.segments"
    label = "segments"
    verbose_name = _("Segments and customer value")

    def ready(self):
        from guanxi.core.demo import register_demo_step

        from .demo import value_demo_load

        # After the customers app's own steps, which make the transaction ledger it reads.
        register_demo_step(value_demo_load)
