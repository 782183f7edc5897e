"""Path converters of the API."""


class IdConverter:
    """A database id: 1–18 digits, so it always fits a 64-bit integer column (a longer number would
    overflow the database driver instead of answering 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
