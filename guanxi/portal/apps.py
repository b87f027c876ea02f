from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "guanxi.portal"
    verbose_name = _("Customer portal")

    def ready(self):
        from guanxi.core.demo import register_demo_step

        from .demo import portal_demo_load

        register_demo_step(portal_demo_load)
