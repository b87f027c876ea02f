from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guanxi.core"
    verbose_name = _("Core")

    def ready(self):
        from celery import signals

        from . import checks, logs, lookups, metrics  # noqa: F401  (checks and lookups register themselves)
        from .history_manager import reuse_history_manager_classes

        logs.configure_structlog()
        reuse_history_manager_classes()
        signals.before_task_publish.connect(logs.task_headers, weak=False)
        signals.task_prerun.connect(logs.task_context, weak=False)
        signals.task_prerun.connect(metrics.task_started, weak=False)
        signals.task_postrun.connect(metrics.task_finished, weak=False)
        signals.task_postrun.connect(logs.task_context_clear, weak=False)
