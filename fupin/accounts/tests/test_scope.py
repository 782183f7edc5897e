"""The scope gate itself, and a guard that views and API never bypass it."""

import re
from pathlib import Path

import pytest
from django.http import Http404

from fupin.accounts.scope import scoped
from fupin.registry.models import Household
from fupin.registry.selectors import household_access, households_visible_to, members_visible_to


def visible(user):
    return set(households_visible_to(user).values_list("household_no", flat=True))


def test_each_persona_sees_its_subtree(users, households):
    a1, a2, b1 = (households[k].household_no for k in ("a1", "a2", "b1"))
    assert visible(users["clerk_a"]) == {a1}
    assert visible(users["township_a"]) == {a1, a2}
    assert visible(users["township_b"]) == {b1}
    assert visible(users["county"]) == visible(users["city"]) == visible(users["province"]) == {a1, a2, b1}
    assert visible(users["auditor"]) == visible(users["root"]) == {a1, a2, b1}
    assert visible(users["stranger"]) == set()
    assert visible(users["cadre"]) == {a1}  # only the paired household, although bound to the township


def test_members_follow_their_household(users, households):
    assert set(members_visible_to(users["cadre"]).values_list("household_id", flat=True)) == {households["a1"].pk}
    assert members_visible_to(users["township_b"]).count() == 3


def test_single_object_gate(users, households):
    assert household_access(users["township_a"], households["a2"].pk).pk == households["a2"].pk
    for user, key in [("township_a", "b1"), ("cadre", "a2"), ("stranger", "a1"), ("clerk_a", "a2")]:
        with pytest.raises(Http404):
            household_access(users[user], households[key].pk)
    with pytest.raises(Http404):
        household_access(users["county"], "not-a-number")


def test_cadre_sees_nothing_of_data_without_cadre_link(users, households):
    assert not scoped(Household.objects.all(), users["cadre"], region_field="village_id").exists()


def test_inactive_user_has_no_scope(users, households):
    from django.core.exceptions import PermissionDenied

    users["county"].is_active = False
    with pytest.raises(PermissionDenied):
        visible(users["county"])


def test_views_and_api_never_query_models_directly():
    """Views, API and template tags read through selectors (the gate), never `Model.objects`,
    `_default_manager`, raw SQL or a cursor — whatever the app, so a new app's tables are covered
    the day they are added (monitoring, cross-checks, ledger, statistics …)."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    pattern = re.compile(r"\.objects\b|_default_manager\b|\.raw\(|\bcursor\(")
    for package in ("web", "api"):
        for path in (root / package).rglob("*.py"):
            if "tests" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "bypassing the scope gate:\n" + "\n".join(offenders)
