"""The cleaning of repeated cell texts is remembered (validation._remembering): the outcome must be
exactly what converting afresh gives — the same value or the same error messages — every time."""

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.registry import validation
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

FIELDS = [
    (MemberYear, "education"), (Member, "gender"), (Member, "relation"), (Member, "birth_date"),
    (HouseholdYear, "wage_income"), (HouseholdYear, "sanitary_toilet"), (HouseholdYear, "access_road"), (Household, "registered_year"),
]
TEXTS = st.one_of(
    st.sampled_from(["是", "否", "小学", "初中", "户主", "健康", "残疾", "1980-01-31", "19800131", "2014",
                     "1200.50", "1,200", "-3", "abc", "0", "1", "12.345", " 是 ", "1980-02-30"]),
    st.text(max_size=12))


def _outcome(clean, raw):
    try:
        return True, clean(raw)
    except ValidationError as exc:
        return False, exc.messages


def _fresh(field):
    """The same field's cleaner without any memory: built again with _remembering as a pass-through."""
    original = validation._remembering
    validation._remembering = lambda convert: convert
    try:
        return validation._cleaner(field)
    finally:
        validation._remembering = original


@settings(max_examples=300, deadline=None)
@given(which=st.sampled_from(FIELDS), raw=TEXTS)
def test_remembered_outcome_is_the_fresh_one_every_time(which, raw):
    model, name = which
    field = model._meta.get_field(name)
    fresh = _fresh(field)
    expected = _outcome(fresh, raw)
    for _ in range(3):  # first call converts, the next ones come from memory
        assert _outcome(lambda r: validation.clean_value(field, r), raw) == expected


def test_memory_is_bounded_and_later_texts_still_convert(monkeypatch):
    monkeypatch.setattr(validation, "MEMO_SIZE", 3)
    calls = []

    def convert(raw):
        calls.append(raw)
        if raw == "bad":
            raise ValidationError("不是有效值")
        return raw.upper()

    remembered = validation._remembering(convert)
    for raw in ["a", "b", "a", "bad", "bad", "c", "c", "a"]:
        try:
            remembered(raw)
        except ValidationError as exc:
            assert exc.messages == ["不是有效值"]
    # a, b and bad are remembered (3 = the bound); c is converted each time it comes.
    assert calls == ["a", "b", "bad", "c", "c"]
    assert remembered("c") == "C" and calls[-1] == "c"
