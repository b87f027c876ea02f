"""Uploaded files: stored under MEDIA_ROOT, which no URL serves, with random names. They are only
ever handed out by views that check who may read them; the original name is kept as data."""

import uuid
from pathlib import PurePath

from django.utils import timezone

ORIGINAL_NAME_MAX = 255


def random_upload_name(folder: str, filename: str) -> str:
    """`<folder>/<yyyy>/<mm>/<32 hex digits><.suffix>`: nothing of the original name but its
    (lower-cased, shortened) suffix, so the address of a file can neither be guessed nor leak it."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def original_name(upload) -> str:
    """The name the uploader gave the file (its last path part), for the download's file name."""
    name = PurePath((getattr(upload, "name", "") or "").replace("\\", "/")).name
    return name[-ORIGINAL_NAME_MAX:]
