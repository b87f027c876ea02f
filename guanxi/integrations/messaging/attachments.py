"""Files sent with a message (attachments): a file name, a content type and the bytes. They are kept
privately under MEDIA_ROOT (`messages/<message id>/`, which no URL serves) from the moment the
message is queued, so that a delivery retried later still has them; channels that can carry them
(e-mail) attach them, the others cannot be given any (an SMS carries a link to a copy the sender
keeps instead)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .enums import MessageChannel

MAX_ATTACHMENTS = 10
MAX_TOTAL_BYTES = 20 * 1024 * 1024
CHANNELS_WITH_ATTACHMENTS = frozenset({MessageChannel.EMAIL})


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def attachments_problem(channel: str, attachments: list[Attachment]) -> str:
    """Why these attachments cannot go with a message on `channel`, or "" when they can."""
    if not attachments:
        return ""
    if channel not in CHANNELS_WITH_ATTACHMENTS:
        return "this channel cannot carry attachments"
    if len(attachments) > MAX_ATTACHMENTS:
        return f"at most {MAX_ATTACHMENTS} attachments"
    if sum(len(a.content) for a in attachments) > MAX_TOTAL_BYTES:
        return f"at most {MAX_TOTAL_BYTES // (1024 * 1024)} MB of attachments"
    if any(not safe_filename(a.filename) or "/" not in (a.content_type or "") for a in attachments):
        return "each attachment needs a file name and a content type"
    return ""


def safe_filename(name: str) -> str:
    """The file name without path parts or control characters (kept in Chinese), at most 150 long."""
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "", (name or "").strip())
    return name.lstrip(".")[-150:]


def _folder(message_id: int) -> str:
    return f"messages/{int(message_id)}"


def attachments_store(message_id: int, attachments: list[Attachment]) -> None:
    """Keep the files of message `message_id` (in the caller's transaction: a message that is never
    committed leaves its folder behind, which nothing reads)."""
    if not attachments:
        return
    manifest = []
    for index, attachment in enumerate(attachments):
        path = f"{_folder(message_id)}/{index}.bin"
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(attachment.content))
        manifest.append({"file": f"{index}.bin", "filename": safe_filename(attachment.filename),
                         "content_type": attachment.content_type})
    path = f"{_folder(message_id)}/manifest.json"
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(json.dumps(manifest, ensure_ascii=False).encode()))


def message_attachments(message) -> list[Attachment]:
    """The files queued with `message` (none for most messages)."""
    path = f"{_folder(message.pk)}/manifest.json"
    if not default_storage.exists(path):
        return []
    with default_storage.open(path) as handle:
        manifest = json.loads(handle.read().decode())
    found = []
    for entry in manifest:
        with default_storage.open(f"{_folder(message.pk)}/{entry['file']}") as handle:
            found.append(Attachment(entry["filename"], entry["content_type"], handle.read()))
    return found
