"""The ledger demo on the fixtures: every state, consistent events and dates, suspects marked, deterministic."""

from collections import Counter
from datetime import date

import pytest
from django.db import transaction

from fupin.crosscheck.models import Roster, Suspect
from fupin.demo.generator import DemoError
from fupin.ledger.demo import generate_ledger_demo
from fupin.ledger.models import Evidence, ItemEvent, LedgerItem
from fupin.ledger.selectors import ledger_stats_in_region
from fupin.regions.models import Region

pytestmark = pytest.mark.django_db
ON = date(2020, 12, 15)
ORDER = ["created", "started", "evidence", "submitted", "verified", "closed"]


def _suspects(households):
    roster = Roster.objects.create(kind="payroll", name="财政供养人员", region_code="610926000000", as_of=ON)
    return [Suspect.objects.create(rule="payroll", roster=roster, household=h, village_code=h.village_id, year=2020,
                                   reason=f"{h.head_name}为财政供养人员") for h in households.values()]


def test_demo_on_fixtures(users, households):
    suspects = _suspects(households)
    result = generate_ledger_demo(county_code="610926", on=ON, seed=7)
    items = list(LedgerItem.objects.all())
    assert result["items"] == len(items) > 30
    assert set(result["by_state"]) == {"open", "rectifying", "submitted", "verified", "closed"}
    assert all(result["by_state"][s] > 0 for s in result["by_state"])
    assert result["by_source"]["inspection"] == 24 and result["by_source"]["audit"] == 12
    marked = Suspect.objects.filter(status="ledger").count()
    assert marked == result["suspects_on_ledger"] == LedgerItem.objects.filter(source="crosscheck").count()
    assert {i.source_ref for i in items if i.source == "crosscheck"} == {
        f"crosscheck.suspect:{s.pk}" for s in Suspect.objects.filter(status="ledger")}
    assert len(suspects) >= marked
    events: dict[int, list] = {}
    for e in ItemEvent.objects.order_by("item_id", "id"):
        events.setdefault(e.item_id, []).append(e)
    for item in items:
        ev = events[item.pk]
        assert [e.kind for e in ev] == ORDER[:len(ev)]
        assert ev[-1].to_state == item.state
        assert all(a.on <= b.on for a, b in zip(ev, ev[1:], strict=False)) and ev[-1].on <= ON
        assert ev[0].on == item.found_on and item.found_on <= item.deadline
        if item.state == "closed":
            assert 10 <= (item.closed_on - item.found_on).days <= 60
        verify = next((e for e in ev if e.kind == "verified"), None)
        submit = next((e for e in ev if e.kind == "submitted"), None)
        if verify and verify.actor_id:
            assert verify.actor_id != submit.actor_id
    assert Evidence.objects.count() == sum(1 for i in items if i.submitted_on)
    stats = ledger_stats_in_region(region=Region.objects.get(code="610926000000"), on=ON)
    assert stats.totals.total == len(items) and stats.totals.overdue == result["overdue"] > 0
    assert stats.totals.due_soon > 0 and stats.totals.closure_avg_days is not None
    with pytest.raises(DemoError):
        generate_ledger_demo(county_code="610926", on=ON, seed=7)


class _Rollback(Exception):
    pass


def _run(seed):
    try:
        with transaction.atomic():
            result = generate_ledger_demo(county_code="610926", on=ON, seed=seed)
            rows = list(LedgerItem.objects.order_by("id").values_list("title", "state", "found_on", "deadline"))
            actors = {e.actor_id for e in ItemEvent.objects.all()}
            raise _Rollback
    except _Rollback:
        return result, rows, actors


def test_demo_without_suspects_or_users_is_deterministic(regions):
    first, rows, actors = _run(3)
    assert first["suspects_on_ledger"] == 0 and first["items"] == 36 and actors == {None}
    assert Counter(state for _, state, _, _ in rows).keys() == {"open", "rectifying", "submitted", "verified", "closed"}
    assert _run(3)[1] == rows
    assert _run(4)[1] != rows
