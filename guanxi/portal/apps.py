from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _portal_demo():
    from .demo import portal_demo_load

    return portal_demo_load


class PortalConfig(AppConfig):
    name = "guanxi.portal"
    verbose_name = _("Customer portal")

    def ready(self):
        from guanxi.core.demo import DeferredStep, register_demo_step

        register_demo_step(DeferredStep(_portal_demo))  # imported when the demo runs
