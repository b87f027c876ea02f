from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import catalog_demo_load

    return catalog_demo_load


class CatalogConfig(AppConfig):
    name = "guanxi.catalog"
    label = "catalog"
    verbose_name = _("Product catalogue")

    def ready(self):


        register_demo_step(DeferredStep(_demo))
