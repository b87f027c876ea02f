"""The kinds of task (任务类型): a registry, so that a module may add its own kind in its
`AppConfig.ready()` (`register_task_kind("gift", _("Gift"))`) without a migration."""

from django.utils.translation import pgettext_lazy

KINDS: dict[str, object] = {
    "visit": pgettext_lazy("task", "Visit"),
    "call": pgettext_lazy("task", "Call"),
    "meeting": pgettext_lazy("task", "Meeting"),
    "follow_up": pgettext_lazy("task", "Follow-up"),
    "hand_over": pgettext_lazy("task", "Hand-over"),
    "care": pgettext_lazy("task", "Customer care"),
    "other": pgettext_lazy("task", "Other"),
}
ICONS = {"visit": "geo-alt", "call": "telephone", "meeting": "people", "follow_up": "arrow-repeat",
         "hand_over": "arrow-left-right", "care": "gift", "other": "check2-square"}


def register_task_kind(code: str, label, icon: str = "check2-square") -> None:
    """Add a kind (code: lowercase letters and underscores, at most 30)."""
    if not code.replace("_", "").isalpha() or not code.islower() or len(code) > 30:
        raise ValueError(f"not a task kind code: {code!r}")
    KINDS.setdefault(code, label)
    ICONS.setdefault(code, icon)


def kind_label(code: str) -> str:
    return str(KINDS.get(code, code))


def kind_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in KINDS.items()]
