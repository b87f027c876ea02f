from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "guanxi.portal"
    verbose_name = _("Customer portal")

    def ready(self):
        from guanxi.customers.demo import register_demo_step

        register_demo_step("guanxi.portal.demo.portal_demo_load")
