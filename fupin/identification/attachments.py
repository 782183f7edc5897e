"""Attachments of procedure steps: checked against the policy table, stored by content hash.

Limits are policy data (`attachment.max_mb`, `attachment.allowed_types`, `attachment.max_files`).
The checks themselves (type by extension AND first bytes, size, empty file) and the storage are
`fupin.core.uploads`, shared with visit photos. Files are written under
MEDIA_ROOT/procedures/<year>/<case>/<sha256>.<ext> after every check has passed; if the
transaction then fails, the caller removes them (`discard`).
"""

from django.core.exceptions import ValidationError

from fupin.core import uploads
from fupin.core.uploads import CheckedFile, discard  # noqa: F401  (the services' vocabulary)
from fupin.policy.selectors import resolve_many

LABEL = "附件"


def _limits(year: int, region_code: str) -> tuple[int, list[str], int]:
    rows = resolve_many(["attachment.max_mb", "attachment.allowed_types", "attachment.max_files"],
                        year=year, region_code=region_code)
    return (int(rows["attachment.max_mb"].value), list(rows["attachment.allowed_types"].value),
            int(rows["attachment.max_files"].value))


def check_files(files, *, year: int, region_code: str) -> list[CheckedFile]:
    """Read and check uploaded files. Raises ValidationError({"attachments": [...]}) naming each
    bad file; nothing is written."""
    files = list(files or ())
    if not files:
        return []
    max_mb, allowed, max_files = _limits(year, region_code)
    if len(files) > max_files:
        raise ValidationError({"attachments": [f"每个步骤最多上传 {max_files} 个附件，本次 {len(files)} 个"]})
    errors, checked = [], []
    for f in files:
        try:
            checked.append(uploads.check_upload(f, max_mb=max_mb, allowed=allowed, label=LABEL))
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def store(checked: CheckedFile, *, year: int, case_id: int) -> tuple[str, bool]:
    """Write the file; returns its storage name and whether it was written now (the same content
    in the same case is stored once, and only a file written now may be discarded on failure)."""
    return uploads.store(checked, folder=f"procedures/{year}/{case_id}")
