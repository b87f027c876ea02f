"""Domain errors: raised by services and selectors, mapped once to HTTP 4xx.

A message or field reason is given in English — a message id (`gettext_lazy`, `gettext_noop` or a
plain literal that has an entry in the catalog) or text already formatted with `gettext` — and is
put into the reader's language when it is read (`message`, `fields`): the API answers in the
caller's language, whichever language was active when the error was raised.
"""

from collections.abc import Callable
from typing import TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")


def translated(text) -> str:
    """A message id or lazy text in the active language; other text as it is."""
    if isinstance(text, Promise):
        return str(text)
    return gettext(text) if isinstance(text, str) and text else str(text)


class DomainError(Exception):
    """A business rule refused the request. `code` is stable and machine readable."""

    status = 400
    code = "invalid"
    default_message = _("The request was refused.")

    def __init__(self, message=None, *, code=None, fields=None):
        self._message = message or self.default_message
        if code:
            self.code = code
        self._fields = dict(fields or {})
        super().__init__(self._message)

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        return translated(self._message)

    @property
    def fields(self) -> dict[str, str]:
        return {name: translated(reason) for name, reason in self._fields.items()}

    def body_extra(self) -> dict:
        """Keys an error adds to the API's error body beyond code, message and fields."""
        return {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"
    default_message = _("Some fields are not valid.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    default_message = _("Log in or send a valid API token.")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("The record changed or conflicts with another one.")


def referenced(lookup: Callable[..., T], *, field: str, reason, **kwargs) -> T:
    """The record an input field names, found with `lookup(**kwargs)`. Not found (absent, or hidden
    from the caller) is the input's fault, not the URL's: a 422 on `field` with `reason`."""
    try:
        return lookup(**kwargs)
    except NotFound as exc:
        raise ValidationFailed(fields={field: reason}) from exc
