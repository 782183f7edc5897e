"""The registry tables carry the indexes their reads need and no more: every extra index is paid on
every write (imports, generation), so an index that another one already serves is left out."""

import pytest
from django.db import connection

from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

pytestmark = pytest.mark.django_db


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, model._meta.db_table)
    return {name: info["columns"] for name, info in found.items() if info["index"] or info["unique"]}


def test_no_index_is_a_prefix_of_another_or_a_like_twin():
    for model in (Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear):
        indexes = _indexes(model)
        names = {name: cols for name, cols in indexes.items() if not name.endswith("_like")}
        for name, cols in names.items():
            wider = [other for other, o in names.items() if other != name and len(o) > len(cols)
                     and o[:len(cols)] == cols]
            assert not wider, f"{model.__name__}: {name} {cols} is served by {wider}"
        # PostgreSQL LIKE indexes (varchar_pattern_ops): only where a prefix search needs one.
        likes = {cols[0] for name, cols in indexes.items() if name.endswith("_like")}
        assert likes <= {"household_no"}, f"{model.__name__}: LIKE indexes on {likes}"


def test_the_reads_keep_their_indexes():
    wanted = {Household: [["village_id"], ["status"], ["household_no"]], Member: [["id_number"], ["household_id"]],
              HouseholdYear: [["household_id", "year"]], MemberYear: [["member_id", "year"]],
              HouseholdStatusEvent: [["household_id", "effective_on"]]}
    for model, columns in wanted.items():
        have = list(_indexes(model).values())
        for cols in columns:
            assert cols in have, f"{model.__name__} lacks an index on {cols}"
