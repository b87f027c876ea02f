from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "guanxi.catalog"
    label = "catalog"
    verbose_name = _("Product catalogue")

    def ready(self):
        from guanxi.core.demo import register_demo_step

        from .demo import catalog_demo_load

        register_demo_step(catalog_demo_load)
