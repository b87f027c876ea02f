from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarrantyConfig(AppConfig):
    name = "guanxi.warranty"
    verbose_name = _("Warranty (三包)")

    def ready(self):
        from guanxi.customers.demo import register_demo_step
        from guanxi.customers.timeline import register_timeline_source

        register_timeline_source("guanxi.warranty.timeline.warranty_events")
        register_demo_step("guanxi.warranty.demo.warranty_demo_load")
