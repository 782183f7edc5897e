"""Model fields shared by the apps."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import models

# JSON text as stored and shown: non-ASCII kept readable (not \u escapes), default separators. One
# encoder for every call: json.dumps with options builds a new encoder each time (twice as slow).
to_json = json.JSONEncoder(ensure_ascii=False).encode


class JSONTextField(models.TextField):
    """A JSON document stored as its text: for evidence that is written in bulk and read only whole
    (never filtered or indexed inside), such as a suspect's inputs. On PostgreSQL a JSONField is
    jsonb, whose conversion on write costs more than the rest of the row (10,000 cross-check
    suspects: 53 ms of 78 ms of COPY); text is stored as given. Reads give the decoded value, writes
    take a value (encoded with `to_json`) or bulk writers pass text made the same way."""

    description = "JSON（文本存储）"

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as e:
                raise ValidationError(f"{self.verbose_name}：不是有效的 JSON（{e}）", code="invalid") from e
        return value

    def get_prep_value(self, value):
        return None if value is None else to_json(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))
