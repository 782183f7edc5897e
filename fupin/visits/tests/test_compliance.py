"""Visit-frequency compliance: the boundary day, never-visited households, policy overrides, the
groupings per cadre and village, the overdue list, the CLI, and a constant number of queries."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.accounts.roles import Role
from fupin.accounts.services import user_create
from fupin.conftest import PASSWORD, make_household
from fupin.policy.services import policy_set
from fupin.registry.models import HouseholdStatusEvent
from fupin.visits.selectors import household_due, my_households, visit_compliance, visit_compliance_in_region

from .helpers import record, registered

pytestmark = pytest.mark.django_db
LAST = date(2020, 3, 2)  # the last visit in most tests
COUNTY = "610926000000"


def due(users, household, on, who="county"):
    return household_due(users[who], household, on=on)


def test_boundary_day(users, households):
    a1 = households["a1"]
    record(users, "cadre", a1, LAST)
    exactly = due(users, a1, LAST + timedelta(days=30))
    assert (exactly.days_since, exactly.max_days, exactly.overdue, exactly.state) == (30, 30, False, "due_soon")
    assert exactly.due_on == date(2020, 4, 1) and exactly.days_left == 0
    late = due(users, a1, LAST + timedelta(days=31))
    assert (late.days_since, late.overdue, late.overdue_days, late.state) == (31, True, 1, "overdue")
    assert "超过 30 天，已逾期 1 天" in late.explain()
    # The same through the compliance report.
    def cadre_row(on):
        report = visit_compliance(users["county"], region_code=COUNTY, on=on)
        row = next(g for g in report.by_cadre if g.extra["cadre_id"] == users["cadre"].pk)
        return row.tally.households, row.tally.visited, row.tally.overdue

    assert cadre_row(date(2020, 4, 1)) == (1, 1, 0)
    assert cadre_row(date(2020, 4, 2)) == (1, 0, 1)


def test_visits_after_the_day_do_not_count_and_phone_calls_do_not_count(users, households):
    a1 = households["a1"]
    record(users, "cadre", a1, LAST)
    record(users, "cadre", a1, date(2020, 3, 20), kind="电话联系")
    row = due(users, a1, date(2020, 4, 2))
    assert row.overdue and row.last_visit == LAST and row.last_contact == date(2020, 3, 20)
    record(users, "cadre", a1, date(2020, 4, 10), kind="集中帮扶")
    assert due(users, a1, date(2020, 4, 2)).overdue  # visited later than the day asked about
    assert not due(users, a1, date(2020, 4, 11)).overdue
    # A province that counts phone calls too.
    policy_set(actor=None, key="visits.counted_kinds", region_code="610000000000", year_from=2014,
               value=["home", "group", "phone"])
    assert due(users, a1, date(2020, 4, 2)).last_visit == date(2020, 3, 20)


def test_never_visited_counts_from_registration(users, households):
    a1 = households["a1"]
    registered(a1, date(2020, 1, 10))
    assert due(users, a1, date(2020, 1, 9)) is None  # not in the registry yet
    row = due(users, a1, date(2020, 2, 9))
    assert (row.never_visited, row.days_since, row.overdue, row.registered_on) == (True, 30, False, date(2020, 1, 10))
    row = due(users, a1, date(2020, 2, 10))
    assert row.overdue and "从未走访，距建档（2020-01-10）31 天" in row.explain()
    # A household filed without history counts from 1 January of its registered year (2014).
    a2 = households["a2"]
    assert due(users, a2, date(2014, 1, 31)).overdue is False
    assert due(users, a2, date(2014, 2, 1)).overdue is True


def test_provincial_override_changes_the_outcome(users, households):
    a1 = households["a1"]
    record(users, "cadre", a1, LAST)
    on = LAST + timedelta(days=40)
    assert due(users, a1, on).overdue
    policy_set(actor=None, key="visits.max_days_between", region_code="610000000000", year_from=2014, value=45)
    row = due(users, a1, on)
    assert not row.overdue and row.max_days == 45
    assert {p["key"]: p["region_code"] for p in row.policy}["visits.max_days_between"] == "610000000000"
    # A township (兴隆镇) keeps the monthly rule: the most specific region wins.
    policy_set(actor=None, key="visits.max_days_between", region_code="610926101000", year_from=2014, value=30)
    report = visit_compliance(users["county"], region_code=COUNTY, on=on)
    assert {g.key: sorted(g.max_days) for g in report.by_village} == {
        "610926100001": [45], "610926100002": [45], "610926101001": [30]}
    sources = {(p["key"], p["region_code"]) for p in report.policy}
    assert ("visits.max_days_between", "610000000000") in sources
    assert ("visits.max_days_between", "610926101000") in sources


def test_who_must_be_visited(users, households):
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    on = date(2020, 6, 1)
    a2.status, a2.policies_kept_until = "exited", date(2020, 6, 1)
    a2.save()
    b1.status = "monitored"
    b1.save()
    assert due(users, a2, on).required and due(users, b1, on).required
    assert not due(users, a2, on + timedelta(days=1)).required  # the retention period is over
    assert due(users, a2, on + timedelta(days=1)).state == "not_required"
    a1.status = "removed"
    a1.save()
    assert due(users, a1, on) is None
    # Exited without the period recorded (imported history): the exit event + exit.policy_retention_years (5).
    b1.status = "exited"
    b1.save()
    registered(b1, date(2014, 5, 1))
    HouseholdStatusEvent.objects.create(household=b1, year=2016, from_status="not_exited", to_status="exited",
                                        kind="exited", effective_on=date(2016, 11, 30), source="exit", reason="脱贫")
    assert due(users, b1, date(2021, 11, 30)).required
    assert not due(users, b1, date(2021, 12, 1)).required
    policy_set(actor=None, key="exit.policy_retention_years", region_code="610000000000", year_from=2016, value=3)
    assert not due(users, b1, date(2020, 1, 1)).required
    assert due(users, b1, date(2016, 11, 29)).status == "not_exited"  # before the exit: still poor


def test_numbers_per_cadre_and_village(users, households):
    a1, b1 = households["a1"], households["b1"]
    cadre2 = user_create(actor=None, username="cadre2", password=PASSWORD, role=Role.CADRE,
                         region_code="610926000000", full_name="赵帮扶")
    a3 = make_household("610926100001002", "610926100001", helper=users["cadre"], head="王三")
    users["cadre2"] = cadre2
    b1.helper = cadre2
    b1.save()
    registered(a3, date(2020, 3, 20))
    on = date(2020, 4, 10)
    record(users, "cadre", a1, date(2020, 3, 15))  # 26 days: visited
    record(users, "cadre2", b1, date(2020, 2, 1))  # 69 days: overdue
    # a2: no helper, never visited since 2014: overdue. a3: registered 21 days ago: pending.
    report = visit_compliance(users["county"], region_code=COUNTY, on=on)
    t = report.totals
    assert (t.households, t.visited, t.pending, t.overdue, t.compliant, t.rate) == (4, 1, 1, 2, 2, 0.5)
    cadres = {g.label: g.tally.as_dict() for g in report.by_cadre}
    assert cadres["cadre"] == {"households": 2, "visited": 1, "pending": 1, "overdue": 0, "compliant": 2, "rate": 1.0}
    assert cadres["赵帮扶"]["overdue"] == 1 and cadres["赵帮扶"]["rate"] == 0.0
    assert cadres["未结对"]["households"] == 1 and cadres["未结对"]["overdue"] == 1
    villages = {g.key: (g.label, g.tally.households, g.tally.overdue) for g in report.by_village}
    assert villages == {"610926100001": ("龙头村", 2, 0), "610926100002": ("三里垭村", 1, 1),
                        "610926101001": ("兴隆村", 1, 1)}
    # The overdue list, longest first, with the inputs of each verdict.
    assert [(r.household_no, r.cadre_name, r.last_visit) for r in report.overdue] == [
        ("610926100002001", "未结对", None), ("610926101001001", "赵帮扶", date(2020, 2, 1))]
    assert report.overdue[1].days_since == 69
    # Scope: a township reviewer sees only their township; a cadre only their own households.
    mine = visit_compliance(users["township_b"], region_code="610926101000", on=on)
    assert mine.totals.households == 1 and mine.totals.overdue == 1
    own = visit_compliance(users["cadre"], region_code="610926100000", on=on)
    assert own.totals.households == 2 and own.overdue == []
    data = report.as_dict()
    assert data["totals"]["rate"] == 0.5 and data["overdue_count"] == 2 and data["overdue"][0]["never_visited"]


def test_cadre_list_puts_overdue_first(users, households):
    cadre = users["cadre"]
    h = {i: make_household(f"610926100001{i + 10:03d}", "610926100001", helper=cadre, head=f"户{i}") for i in range(1, 5)}
    on = date(2020, 5, 31)
    record(users, "cadre", h[1], date(2020, 5, 25))  # ok: due 6-24
    record(users, "cadre", h[2], date(2020, 4, 1))  # overdue by 30
    record(users, "cadre", h[3], date(2020, 5, 5))  # due soon: due 6-4
    record(users, "cadre", h[4], date(2020, 4, 20), follow_up="联系教育资助", follow_up_due="2020-05-01")  # overdue 11
    record(users, "cadre", households["a1"], date(2020, 5, 28))  # ok: due 6-27
    mine = my_households(cadre, on=on)
    order = [(m.due.head_name, m.due.state) for m in mine["households"]]
    assert order == [("户2", "overdue"), ("户4", "overdue"), ("户3", "due_soon"), ("户1", "ok"), ("王一", "ok")]
    assert mine["counts"]["overdue"] == 2 and mine["counts"]["due_soon"] == 1
    assert [v.follow_up for v in mine["follow_ups"]] == ["联系教育资助"] and mine["overdue_follow_ups"] == 1
    assert mine["households"][1].open_follow_ups[0].follow_up_due == date(2020, 5, 1)
    # due_soon_days is policy: with 3 days, 户3 (4 days left) is just ok.
    policy_set(actor=None, key="visits.due_soon_days", region_code="610000000000", year_from=2014, value=3)
    assert [m.due.state for m in my_households(cadre, on=on)["households"]][2] == "ok"


def test_query_count_is_constant(users, households):
    def queries(on):
        with CaptureQueriesContext(connection) as ctx:
            visit_compliance(users["county"], region_code=COUNTY, on=on)
        return len(ctx.captured_queries)

    record(users, "cadre", households["a1"], LAST)
    small = queries(date(2020, 4, 1))
    for i in range(30):
        h = make_household(f"610926100002{i + 100:03d}", "610926100002", helper=users["cadre"], head=f"多{i}",
                           members=1)
        record(users, "cadre", h, LAST - timedelta(days=i))
        if i % 3 == 0:
            registered(h, date(2019, 1, 1))
    assert queries(date(2020, 4, 1)) == small == 3
    with CaptureQueriesContext(connection) as ctx:
        my_households(users["cadre"], on=date(2020, 4, 1))
    assert len(ctx.captured_queries) == 4


def test_cli_json_and_text(users, households):
    record(users, "cadre", households["a1"], LAST)
    out = StringIO()
    call_command("visit_compliance", "--region", "610926", "--on", "2020-04-02", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["on"] == "2020-04-02" and data["totals"]["households"] == 3
    assert data["totals"]["overdue"] == 3 and data["overdue"][0]["days_since"] > data["overdue"][-1]["days_since"]
    assert {p["key"] for p in data["policy"]} == {"visits.max_days_between", "visits.due_soon_days",
                                                  "visits.counted_kinds"}
    assert data == json.loads(json.dumps(visit_compliance_in_region(region_code=COUNTY, on=date(2020, 4, 2))
                                         .as_dict(), default=str)) | {"ok": True, "region": data["region"]}
    text = StringIO()
    call_command("visit_compliance", "--region", "610926", "--on", "2020-04-01", stdout=text)
    assert "走访频次 2020-04-01" in text.getvalue() and "达标率" in text.getvalue()
    bad = StringIO()
    with pytest.raises(SystemExit):
        call_command("visit_compliance", "--region", "610926", "--on", "2020-13-01", "--json", stdout=bad)
    assert json.loads(bad.getvalue())["ok"] is False
