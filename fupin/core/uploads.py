"""Checking and storing uploaded files: type by extension AND first bytes, size, content-hash names.

Generic over the caller's limits (which come from the policy table) and its wording: the visits
app checks photos with it and `fupin/identification/attachments.py` procedure attachments.

- `check_upload(f, max_mb=..., allowed=[...], label="走访照片")` reads at most max_mb + 1 bytes and
  returns a `CheckedFile`, or raises ValidationError with Chinese messages naming the file — before
  anything is written.
- `store(checked, folder=...)` writes it as `<folder>/<sha256>.<ext>` under MEDIA_ROOT (once: the
  same content in the same folder is stored once) and says whether it was written now, so that a
  caller whose transaction then fails removes only what it wrote (`discard`).
"""

import contextlib
import hashlib
import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

# Extension → (content type, magic prefixes). Only types with a reliable signature are supported.
KNOWN_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
IMAGE_TYPES = frozenset({"jpg", "jpeg", "png"})
NAME_MAX = 200


@dataclass(frozen=True)
class CheckedFile:
    name: str
    ext: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def clean_name(f, *, default: str) -> str:
    return os.path.basename(str(getattr(f, "name", "") or "").replace("\\", "/")).strip()[:NAME_MAX] or default


def check_upload(f, *, max_mb: int | float, allowed, label: str) -> CheckedFile:
    """One uploaded file (Django UploadedFile or any object with .name and .read()) against the limits.
    Raises ValidationError([message]) in Chinese naming the file; reads at most max_mb MB + 1 byte."""
    allowed = [str(t).lower().lstrip(".") for t in allowed]
    name = clean_name(f, default=label)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed or ext not in KNOWN_TYPES:
        raise ValidationError(f"{label}“{name}”的类型不允许（允许：{'、'.join(allowed)}）")
    limit = int(max_mb * 1024 * 1024)
    too_big = f"{label}“{name}”超过 {max_mb} MB"
    size = getattr(f, "size", None)
    if size is not None and size > limit:
        raise ValidationError(too_big)
    if hasattr(f, "seek"):
        f.seek(0)
    content = f.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(too_big)
    if not content:
        raise ValidationError(f"{label}“{name}”是空文件")
    content_type, magics = KNOWN_TYPES[ext]
    if not any(content.startswith(m) for m in magics):
        raise ValidationError(f"{label}“{name}”的内容与扩展名 .{ext} 不符")
    return CheckedFile(name=name, ext=ext, content_type=content_type, content=content,
                       sha256=hashlib.sha256(content).hexdigest())


def store(checked: CheckedFile, *, folder: str) -> tuple[str, bool]:
    """Write the file as `<folder>/<sha256>.<ext>`; returns its storage name and whether it was
    written now (only a file written now may be discarded when the caller's work fails)."""
    name = f"{folder.strip('/')}/{checked.sha256}.{checked.ext}"
    if default_storage.exists(name):
        return name, False
    return default_storage.save(name, ContentFile(checked.content)), True


def discard(names) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # already gone: nothing to clean up
            default_storage.delete(name)
