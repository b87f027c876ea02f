from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import catalog_demo_load

    return catalog_demo_load


def _default_categories(sender, using, **kwargs):
    from .defaults import ensure_default_categories

    ensure_default_categories(using=using)


class CatalogConfig(AppConfig):
    name = "guanxi.catalog"
    label = "catalog"
    verbose_name = _("Product catalogue")

    def ready(self):
        register_demo_step(DeferredStep(_demo))
        post_migrate.connect(_default_categories, sender=self)
