"""Attachments of procedure steps: checked against the policy table, stored by content hash.

Limits are policy data (`attachment.max_mb`, `attachment.allowed_types`, `attachment.max_files`).
A file's type is decided by its extension AND its first bytes (a renamed executable is refused).
Files are written under MEDIA_ROOT/procedures/<year>/<case>/<sha256><ext> after every check has
passed; if the transaction then fails, the caller removes them (`discard`).
"""

import contextlib
import hashlib
import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fupin.policy.selectors import resolve_many

# Extension → (content type, magic prefixes). Only types with a reliable signature are supported.
KNOWN_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
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


def _limits(year: int, region_code: str) -> tuple[int, list[str], int, dict]:
    rows = resolve_many(["attachment.max_mb", "attachment.allowed_types", "attachment.max_files"],
                        year=year, region_code=region_code)
    allowed = [str(t).lower().lstrip(".") for t in rows["attachment.allowed_types"].value]
    return (int(rows["attachment.max_mb"].value), allowed, int(rows["attachment.max_files"].value),
            {k: r.explain() for k, r in rows.items()})


def check_files(files, *, year: int, region_code: str) -> list[CheckedFile]:
    """Read and check uploaded files (Django UploadedFile or any object with .name and .read()).
    Raises ValidationError({"attachments": [...]}) naming each bad file; reads at most max_mb + 1 byte."""
    files = list(files or ())
    if not files:
        return []
    max_mb, allowed, max_files, _ = _limits(year, region_code)
    if len(files) > max_files:
        raise ValidationError({"attachments": [f"每个步骤最多上传 {max_files} 个附件，本次 {len(files)} 个"]})
    limit = max_mb * 1024 * 1024
    errors, checked = [], []
    for f in files:
        name = os.path.basename(str(getattr(f, "name", "") or "")).strip()[:NAME_MAX] or "附件"
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in allowed or ext not in KNOWN_TYPES:
            errors.append(f"附件“{name}”的类型不允许（允许：{'、'.join(allowed)}）")
            continue
        size = getattr(f, "size", None)
        if size is not None and size > limit:
            errors.append(f"附件“{name}”超过 {max_mb} MB")
            continue
        if hasattr(f, "seek"):
            f.seek(0)
        content = f.read(limit + 1)
        if len(content) > limit:
            errors.append(f"附件“{name}”超过 {max_mb} MB")
            continue
        if not content:
            errors.append(f"附件“{name}”是空文件")
            continue
        content_type, magics = KNOWN_TYPES[ext]
        if not any(content.startswith(m) for m in magics):
            errors.append(f"附件“{name}”的内容与扩展名 .{ext} 不符")
            continue
        checked.append(CheckedFile(name=name, ext=ext, content_type=content_type, content=content,
                                   sha256=hashlib.sha256(content).hexdigest()))
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def store(checked: CheckedFile, *, year: int, case_id: int) -> tuple[str, bool]:
    """Write the file; returns its storage name and whether it was written now (the same content
    in the same case is stored once, and only a file written now may be discarded on failure)."""
    name = f"procedures/{year}/{case_id}/{checked.sha256}.{checked.ext}"
    if default_storage.exists(name):
        return name, False
    return default_storage.save(name, ContentFile(checked.content)), True


def discard(names) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # already gone: nothing to clean up
            default_storage.delete(name)
