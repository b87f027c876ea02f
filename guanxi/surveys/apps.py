from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import surveys_demo_load

    return surveys_demo_load


class SurveysConfig(AppConfig):
    name = "guanxi.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self):
        from guanxi.integrations.messaging.inbound import register_sms_reply_handler
        from guanxi.servicedesk.signals import callback_recorded, ticket_closed
        from guanxi.tasks.kinds import register_task_kind

        from . import receivers
        from .services.channels import survey_reply_receive

        ticket_closed.connect(receivers.survey_after_case_closed, dispatch_uid="surveys.ticket_closed")
        callback_recorded.connect(receivers.survey_from_callback, dispatch_uid="surveys.callback_recorded")
        register_task_kind("survey_follow_up", _("Survey follow-up"), icon="emoji-frown")
        register_demo_step(DeferredStep(_demo))
        register_sms_reply_handler("surveys", survey_reply_receive)
