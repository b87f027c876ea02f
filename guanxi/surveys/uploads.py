"""An uploaded file on disk for the import readers, removed afterwards; size checked by the
customer import's limit."""

import contextlib
import os
import tempfile
from pathlib import Path

from guanxi.customers.importing.files import check_size


@contextlib.contextmanager
def saved_upload(upload):
    check_size(upload.size)
    suffix = Path(upload.name or "").suffix.lower()[:6] or ".csv"
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="survey-import-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
