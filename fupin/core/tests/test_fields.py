"""JSONTextField: a JSON document kept as text (the cross-check suspects' inputs)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fupin.core.fields import JSONTextField
from fupin.crosscheck.models import Suspect


def test_round_trip_keeps_the_text_readable():
    field = JSONTextField("依据")
    value = {"姓名": "王一", "行": [1, 2.5, None, True], "说明": "引号\"和\\反斜杠"}
    text = field.get_prep_value(value)
    assert "王一" in text  # not \u escapes: the stored text is what an auditor reads
    assert field.from_db_value(text, None, connection) == value
    assert field.get_prep_value(None) is None and field.from_db_value(None, None, connection) is None


def test_invalid_text_names_the_field():
    with pytest.raises(ValidationError, match="依据：不是有效的 JSON"):
        JSONTextField("依据").to_python("{不是 JSON")
    assert JSONTextField("依据").to_python('{"a": 1}') == {"a": 1}


def test_suspect_inputs_column_is_text():
    # Not jsonb on PostgreSQL: written in bulk, read only whole (crosscheck.storing).
    column = Suspect._meta.get_field("inputs")
    assert column.db_type(connection).lower() == "text"
