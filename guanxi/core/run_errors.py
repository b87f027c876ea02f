"""Why a background run (a duplicate scan, a value run, a model training, a warehouse refresh)
failed: the reasons the system itself records, stored in English in the run's `error` field and
shown in the reader's language. Anything else there is an exception's text: a technical detail that
pages show behind a translated sentence."""

from django.utils.translation import gettext, gettext_noop
from pydantic import Field

from guanxi.core.schema import Schema

INTERRUPTED = gettext_noop("interrupted: its process ended")
ABANDONED = gettext_noop("abandoned (no progress for hours)")
REASONS = (INTERRUPTED, ABANDONED)


def run_error_text(error: str) -> tuple[str, str]:
    """(the reason in the active language, the technical detail or "")."""
    if not error:
        return "", ""
    if error in REASONS:
        return gettext(error), ""
    return gettext("An unexpected error stopped it; the server's log has the details."), error


class RunErrorOut(Schema):
    """The failure fields of a run's API schema: `error` as stored, `error_message` as read."""

    error: str
    error_message: str = Field("", description="why it failed, in the caller's language")

    @staticmethod
    def resolve_error_message(obj) -> str:
        return run_error_text(obj["error"] if isinstance(obj, dict) else obj.error)[0]
