from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import key_accounts_demo_load

    return key_accounts_demo_load


def _channels_demo():
    from .demo import key_account_channels_demo_load

    return key_account_channels_demo_load


class KeyAccountsConfig(AppConfig):
    name = "guanxi.key_accounts"
    label = "key_accounts"
    verbose_name = _("Key accounts")

    def ready(self):
        from .occasions import register_care_occasions

        register_demo_step(DeferredStep(_demo))
        register_care_occasions()
        register_demo_step(DeferredStep(_channels_demo))
        from guanxi.servicedesk.routing import register_case_router

        from .routing import router

        register_case_router(router)
        from django.utils.translation import gettext_lazy as _

        from .selectors import green_channel_counts, register_channel_source, yellow_channel_counts

        register_channel_source("green", _("Green channel"), green_channel_counts)
        register_channel_source("yellow", _("Yellow channel"), yellow_channel_counts)
