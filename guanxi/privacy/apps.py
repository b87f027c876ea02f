from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "guanxi.privacy"
    verbose_name = _("Personal data rights")

    def ready(self):
        from guanxi.core import personal_access

        from .access_log import write_access

        personal_access.set_writer(write_access)
