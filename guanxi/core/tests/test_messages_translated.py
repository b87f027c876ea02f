"""Every message the code gives people has a Simplified Chinese translation, and no error message
is built as English text that a catalog cannot match (an f-string)."""

import ast
from pathlib import Path

import polib
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT = {"pgettext", "pgettext_lazy"}
# Errors whose message and field reasons are read in the caller's language (guanxi.core.errors).
ERRORS = {"DomainError", "ValidationFailed", "NotFound", "PermissionDenied", "Conflict", "LoginFailed"}


def _sources():
    for folder in ("guanxi", "config"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), filename=str(path))


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _error_texts(call: ast.Call):
    """The message and the field reasons given to a domain error."""
    yield from call.args[:1]
    for keyword in call.keywords:
        if keyword.arg == "message":
            yield keyword.value
        if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
            yield from keyword.value.values


def _messages():
    """(context, message id, where) of every translatable text in the code."""
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, where = _name(node), f"{path.relative_to(ROOT)}:{node.lineno}"
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
            if name in GETTEXT and args and args[0]:
                yield "", args[0], where
            elif name in PGETTEXT and len(args) > 1 and args[0] and args[1]:
                yield args[0], args[1], where
            elif name in ERRORS:
                for text in _error_texts(node):
                    if isinstance(text, ast.Constant) and isinstance(text.value, str) and text.value:
                        yield "", text.value, where


def test_every_message_of_the_code_is_in_the_catalog():
    catalog = polib.pofile(str(CATALOG))
    translated = {(e.msgctxt or "", e.msgid) for e in catalog if e.msgstr or any(e.msgstr_plural.values())}
    missing = sorted({f"{where} {context + '|' if context else ''}{message}"
                      for context, message, where in _messages() if (context, message) not in translated})
    assert missing == []


def test_no_error_message_is_an_f_string():
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in ERRORS:
                found += [f"{path.relative_to(ROOT)}:{text.lineno}" for text in _error_texts(node)
                          if isinstance(text, ast.JoinedStr)]
    assert found == []
