"""The audit trail's manager class, built once per model.

django-simple-history (3.13) builds a new manager class with `Manager.from_queryset()` on every read
of `Model.history` or `instance.history`, and it reads it on every save of an audited model to write
the history row. That build walks the queryset class with `inspect.getmembers`: 95 µs a save (2 µs
reused), 6 % of the permission tests' time, where every test sets up its users and records. The class
it builds is always the same for a (manager, queryset) pair, so it is built once and reused.
"""

import functools

from simple_history.manager import HistoryDescriptor


@functools.cache
def history_manager_class(manager_class: type, queryset_class: type) -> type:
    return manager_class.from_queryset(queryset_class)


def _history_manager(descriptor: HistoryDescriptor, instance, owner):
    return history_manager_class(descriptor.manager_class, descriptor.queryset_class)(descriptor.model, instance)


def reuse_history_manager_classes() -> None:
    HistoryDescriptor.__get__ = _history_manager
