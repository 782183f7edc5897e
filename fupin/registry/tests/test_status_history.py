"""Status history (户状态变动): every change an event with kind, date and actor; the registry as of
any date; yearly counts by kind from the events; 清退 by the county; 自然减少 when the last member
leaves — through the services, the web pages, the API and the CLI."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fupin.api.tests.conftest import assert_error
from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.conftest import make_household
from fupin.registry.choices import HouseholdStatus, StatusChangeSource, StatusEventKind
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member
from fupin.registry.selectors_status import (
    household_status_events,
    registry_as_of,
    registry_as_of_counts,
    status_change_counts,
)
from fupin.registry.services import (
    household_change_status,
    household_exit,
    household_natural_decrease,
    household_remove,
    member_leave,
)

COUNTY = "610926000000"
TOWNSHIP_A = "610926100000"
VILLAGE_A = "610926100001"
VILLAGE_B = "610926101001"


def filed(no: str, village: str, *, on: date, actor, members: int = 2, head: str = "张三") -> Household:
    """A household with its 新识别 event effective on `on` (members born 1980 and 2006+)."""
    h = make_household(no, village, head=head, members=members)
    household_change_status(actor=actor, household=h, to_status=HouseholdStatus.NOT_EXITED, year=on.year,
                            source=StatusChangeSource.IDENTIFICATION, reason="建档立卡", kind=StatusEventKind.NEW,
                            effective_on=on)
    return h


def returned(h: Household, *, on: date, actor) -> None:
    household_change_status(actor=actor, household_id=h.pk, to_status=HouseholdStatus.RETURNED, year=on.year,
                            source=StatusChangeSource.MONITORING, reason="因病返贫", kind=StatusEventKind.RETURNED,
                            effective_on=on)


def status_on(user, on: date, region=COUNTY) -> dict:
    return {h.household_no: h.status_on for h in registry_as_of(user, on=on, region_code=region)}


def by_status(counts: dict) -> dict:
    return {r["status"]: (r["households"], r["persons"]) for r in counts["by_status"] if r["households"]}


@pytest.fixture
def history(users):
    """A (龙头村): filed 2014-05-10, exited 2016-12-01, returned 2020-03-01.
    B (三里垭村): filed 2015-09-01, exited 2019-11-20.   C (兴隆村): filed 2016-10-01."""
    county = users["county"]
    a = filed("610926100001001", VILLAGE_A, on=date(2014, 5, 10), actor=users["clerk_a"], members=3, head="王一")
    b = filed("610926100002001", "610926100002", on=date(2015, 9, 1), actor=county, members=2, head="王二")
    c = filed("610926101001001", VILLAGE_B, on=date(2016, 10, 1), actor=users["clerk_b"], members=1, head="李三")
    household_exit(actor=county, household_id=a.pk, year=2016, effective_on=date(2016, 12, 1), reason="脱贫退出")
    household_exit(actor=county, household_id=b.pk, year=2019, effective_on=date(2019, 11, 20), reason="脱贫退出")
    returned(a, on=date(2020, 3, 1), actor=users["township_a"])
    return {"a": a, "b": b, "c": c}


# --- Events ---------------------------------------------------------------------------------------

def test_every_kind_is_an_event_with_date_actor_and_reason(users, history):
    a, c = history["a"], history["c"]
    county = users["county"]
    household_change_status(actor=county, household_id=a.pk, to_status=HouseholdStatus.MONITORED, year=2020,
                            source=StatusChangeSource.MONITORING, reason="纳入防止返贫监测",
                            effective_on=date(2020, 6, 1))
    household_remove(actor=county, household_id=a.pk, reason="识别不精准：家庭有商品房", effective_on=date(2020, 7, 1),
                     year=2020)
    household_natural_decrease(actor=users["clerk_b"], household_id=c.pk, reason="户主死亡，户内无其他成员",
                               effective_on=date(2020, 8, 15), year=2020, member_reason="deceased")
    events = list(household_status_events(county, a))
    assert [(e.kind, e.from_status, e.to_status, e.effective_on, e.actor_name) for e in events] == [
        ("new", "", "not_exited", date(2014, 5, 10), "clerk_a"),
        ("exited", "not_exited", "exited", date(2016, 12, 1), "county"),
        ("returned", "exited", "returned", date(2020, 3, 1), "township_a"),
        ("monitored", "returned", "monitored", date(2020, 6, 1), "county"),
        ("removed", "monitored", "removed", date(2020, 7, 1), "county"),
    ]
    assert events[-1].reason == "识别不精准：家庭有商品房" and events[-1].actor_id == county.pk
    (new, ceased) = household_status_events(county, c)
    assert (ceased.kind, ceased.to_status, ceased.effective_on, ceased.actor_name, ceased.reason) == (
        "natural_decrease", "cancelled", date(2020, 8, 15), "clerk_b", "户主死亡，户内无其他成员")
    # The remaining member is recorded as having left that day, never deleted.
    assert list(Member.objects.filter(household=c).values_list("left_on", "left_reason")) == [
        (date(2020, 8, 15), "deceased")]
    # Each status change is in the audit trail with its kind and date, in the same chain.
    audit = AuditEvent.objects.filter(object_type="registry.household", object_id=str(a.pk), action="update")
    after = [e.after for e in audit.order_by("seq") if "kind" in (e.after or {})]
    assert [(x["kind"], x["effective_on"]) for x in after][-2:] == [("monitored", "2020-06-01"),
                                                                    ("removed", "2020-07-01")]
    assert verify_chain().ok


# --- The registry as of a date --------------------------------------------------------------------

def test_registry_as_of_before_and_after_an_exit_and_a_return(users, history):
    county = users["county"]
    assert status_on(county, date(2014, 5, 9)) == {}  # nobody filed yet
    assert status_on(county, date(2014, 5, 10)) == {"610926100001001": "not_exited"}
    assert status_on(county, date(2016, 9, 30)) == {"610926100001001": "not_exited", "610926100002001": "not_exited"}
    on_exit = status_on(county, date(2016, 12, 1))
    assert on_exit == {"610926100001001": "exited", "610926100002001": "not_exited",
                       "610926101001001": "not_exited"}
    assert status_on(county, date(2020, 2, 29))["610926100001001"] == "exited"
    after_return = status_on(county, date(2020, 3, 1))
    assert after_return == {"610926100001001": "returned", "610926100002001": "exited", "610926101001001": "not_exited"}
    # Counts per status with the persons present that day (members born 1980, 2006, 2007).
    assert by_status(registry_as_of_counts(county, on=date(2016, 12, 1), region_code=COUNTY)) == {
        "exited": (1, 3), "not_exited": (2, 3)}
    assert by_status(registry_as_of_counts(county, on=date(2006, 1, 1), region_code=COUNTY)) == {}
    counts = registry_as_of_counts(county, on=date(2020, 3, 1), region_code=COUNTY)
    assert by_status(counts) == {"returned": (1, 3), "exited": (1, 2), "not_exited": (1, 1)}
    assert (counts["households"], counts["persons"]) == (3, 6)
    # A region below, and the user's scope: a village clerk sees their village only.
    assert status_on(county, date(2020, 3, 1), region=TOWNSHIP_A) == {"610926100001001": "returned",
                                                                     "610926100002001": "exited"}
    assert status_on(users["clerk_b"], date(2020, 3, 1)) == {"610926101001001": "not_exited"}
    assert status_on(users["stranger"], date(2020, 3, 1)) == {}


def test_status_on_a_day_with_two_events_is_the_last_recorded(users, history):
    b = history["b"]
    county = users["county"]
    day = date(2020, 5, 5)
    returned(b, on=day, actor=county)
    household_change_status(actor=county, household_id=b.pk, to_status=HouseholdStatus.EXITED, year=2020,
                            source=StatusChangeSource.CORRECTION, reason="返贫认定有误，更正",
                            kind=StatusEventKind.CORRECTION, effective_on=day)
    assert status_on(county, day)["610926100002001"] == "exited"
    assert status_on(county, day - timedelta(days=1))["610926100002001"] == "exited"


def test_persons_on_a_day_leave_out_members_who_left_before(users, history):
    a = history["a"]
    son = a.members.order_by("id").last()
    member_leave(actor=users["clerk_a"], member_id=son.pk, left_on="2018-06-30", reason="split")
    county = users["county"]
    assert by_status(registry_as_of_counts(county, on=date(2018, 6, 29), region_code=VILLAGE_A)) == {"exited": (1, 3)}
    # Not on the day it left, nor after.
    assert by_status(registry_as_of_counts(county, on=date(2018, 6, 30), region_code=VILLAGE_A)) == {"exited": (1, 2)}
    assert [h.persons_on for h in registry_as_of(county, on=date(2019, 1, 1), region_code=VILLAGE_A)] == [2]


# --- Yearly counts by kind -----------------------------------------------------------------------

def cell(counts: dict, year: int, kind: str) -> tuple[int, int]:
    row = next((r for r in counts["rows"] if (r["year"], r["kind"]) == (year, kind)), None)
    return (row["households"], row["persons"]) if row else (0, 0)


def test_yearly_exit_and_return_counts_come_from_the_events(users, history):
    county = users["county"]
    counts = status_change_counts(county, region_code=COUNTY)
    # Persons: the HouseholdYear's household size where the event's year has one (2020: 3 in A),
    # else the members present on the effective date (A 2016: 3, B 2019: 2).
    assert cell(counts, 2014, "new") == (1, 3) and cell(counts, 2015, "new") == (1, 2)
    assert cell(counts, 2016, "new") == (1, 1)
    assert cell(counts, 2016, "exited") == (1, 3) and cell(counts, 2019, "exited") == (1, 2)
    assert cell(counts, 2020, "returned") == (1, 3)
    assert {(r["year"], r["kind"]) for r in counts["rows"]} == {
        (2014, "new"), (2015, "new"), (2016, "new"), (2016, "exited"), (2019, "exited"), (2020, "returned")}
    totals = {t["kind"]: (t["households"], t["persons"]) for t in counts["totals"]}
    assert totals["exited"] == (2, 5) and totals["returned"] == (1, 3) and totals["removed"] == (0, 0)
    # The pivot has one cell per kind for each year, in StatusEventKind order.
    year_2016 = next(y for y in counts["years"] if y["year"] == 2016)
    assert [c["kind"] for c in year_2016["cells"]] == list(StatusEventKind.values)
    # A HouseholdYear of size 0 does not hide the members (the household's data was not entered).
    HouseholdYear.objects.filter(household=history["a"], year=2020).update(household_size=0)
    assert cell(status_change_counts(county, region_code=COUNTY), 2020, "returned") == (1, 3)
    # Years asked for, by the calendar year of the effective date; the region and the user's scope.
    some = status_change_counts(county, region_code=COUNTY, year_from=2016, year_to=2019)
    assert {r["year"] for r in some["rows"]} == {2016, 2019}
    assert cell(status_change_counts(county, region_code=VILLAGE_B), 2016, "exited") == (0, 0)
    assert cell(status_change_counts(users["clerk_a"], region_code=COUNTY), 2019, "exited") == (0, 0)
    assert cell(status_change_counts(users["clerk_a"], region_code=COUNTY), 2016, "exited") == (1, 3)
    assert status_change_counts(users["stranger"], region_code=COUNTY)["rows"] == []


# --- 清退 --------------------------------------------------------------------------------------------

def test_removal_only_by_the_county_approver(users, history):
    a = history["a"]  # 龙头村, returned 2020-03-01, three members
    for name in ("clerk_a", "township_a", "auditor", "city"):
        with pytest.raises(PermissionDenied, match="县级审批员"):
            household_remove(actor=users[name], household_id=a.pk, reason="识别不精准", effective_on=date(2020, 4, 1),
                             year=2020)
    for name in ("stranger", "clerk_b", "township_b"):
        with pytest.raises(Http404):
            household_remove(actor=users[name], household_id=a.pk, reason="识别不精准",
                             effective_on=date(2020, 4, 1), year=2020)
    county = users["county"]
    with pytest.raises(ValidationError) as exc:
        household_remove(actor=county, household_id=a.pk, reason=" ", effective_on="不是日期", year=2020)
    assert set(exc.value.message_dict) == {"reason", "effective_on"} and "原因" in exc.value.message_dict["reason"][0]
    with pytest.raises(ValidationError, match="不能早于该户上一次状态变更"):
        household_remove(actor=county, household_id=a.pk, reason="识别不精准", effective_on=date(2020, 2, 1), year=2020)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        household_remove(actor=county, household_id=a.pk, reason="识别不精准",
                         effective_on=timezone.localdate() + timedelta(days=1), year=2020)
    with pytest.raises(ValidationError, match="年度"):
        household_remove(actor=county, household_id=a.pk, reason="识别不精准", effective_on=date(2020, 4, 1),
                         year=2021)
    assert HouseholdStatusEvent.objects.filter(household=a, kind="removed").count() == 0
    event = household_remove(actor=county, household_id=a.pk, reason="识别不精准，家庭成员为财政供养人员",
                             effective_on=date(2020, 4, 1), year=2020)
    a.refresh_from_db()
    assert a.status == HouseholdStatus.REMOVED and event.kind == "removed" and event.source == "adjustment"
    assert HouseholdYear.objects.get(household=a, year=2020).status == "removed"
    with pytest.raises(ValidationError, match="已不在册"):
        household_remove(actor=county, household_id=a.pk, reason="再次", effective_on=date(2020, 4, 2), year=2020)
    with pytest.raises(ValidationError, match="已不在册"):
        household_natural_decrease(actor=county, household_id=a.pk, reason="x", effective_on=date(2020, 4, 2),
                                   year=2020, member_reason="deceased")
    # Out of the registry from that day: counted as 已清退, not in the totals.
    assert status_on(county, date(2020, 3, 31))["610926100001001"] == "returned"
    counts = registry_as_of_counts(county, on=date(2020, 4, 1), region_code=COUNTY)
    assert by_status(counts)["removed"] == (1, 3) and counts["households"] == 2


# --- 自然减少 ----------------------------------------------------------------------------------------

def test_last_member_leaving_is_a_natural_decrease(users, history):
    a = history["a"]  # returned 2020-03-01, three members
    clerk = users["clerk_a"]
    head, *others = a.members.order_by("id")
    member_leave(actor=clerk, member_id=others[0].pk, left_on="2020-04-01", reason="married_out")
    member_leave(actor=clerk, member_id=others[1].pk, left_on="2020-04-02", reason="split")
    a.refresh_from_db()
    assert a.status == "returned" and a.status_events.count() == 3
    # The last one may not have left before the household's latest change (the return).
    with pytest.raises(ValidationError, match="最后一名在册成员"):
        member_leave(actor=clerk, member_id=head.pk, left_on="2020-02-01", reason="deceased")
    assert Member.objects.get(pk=head.pk).left_on is None
    member_leave(actor=clerk, member_id=head.pk, left_on="2020-05-06", reason="deceased")
    a.refresh_from_db()
    event = a.status_events.order_by("id").last()
    assert a.status == HouseholdStatus.CANCELLED
    assert (event.kind, event.from_status, event.effective_on, event.year, event.actor_name) == (
        "natural_decrease", "returned", date(2020, 5, 6), 2020, "clerk_a")
    assert "王一" in event.reason and "死亡" in event.reason and "自然减少" in event.reason
    county = users["county"]
    assert status_on(county, date(2020, 5, 5))["610926100001001"] == "returned"
    assert status_on(county, date(2020, 5, 6))["610926100001001"] == "cancelled"
    counts = status_change_counts(county, region_code=COUNTY)
    assert cell(counts, 2020, "natural_decrease") == (1, 3)  # the household's 2020 size
    # Correcting the date of a member who already left does not add another event.
    member_leave(actor=clerk, member_id=head.pk, left_on="2020-05-07", reason="deceased")
    assert a.status_events.filter(kind="natural_decrease").count() == 1
    assert verify_chain().ok


def test_natural_decrease_needs_a_reason_and_the_members_reason(users, history):
    c = history["c"]
    clerk = users["clerk_b"]
    with pytest.raises(ValidationError) as exc:
        household_natural_decrease(actor=clerk, household_id=c.pk, reason="", effective_on=date(2020, 1, 1), year=2020)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError, match="尚有 1 名在册成员（李三）"):
        household_natural_decrease(actor=clerk, household_id=c.pk, reason="并入他户", effective_on=date(2020, 1, 1),
                                   year=2020)
    with pytest.raises(Http404):
        household_natural_decrease(actor=users["clerk_a"], household_id=c.pk, reason="x",
                                   effective_on=date(2020, 1, 1), year=2020, member_reason="other")
    with pytest.raises(PermissionDenied):
        household_natural_decrease(actor=users["city"], household_id=c.pk, reason="x",
                                   effective_on=date(2020, 1, 1), year=2020, member_reason="other")
    assert Household.objects.get(pk=c.pk).status == "not_exited"
    household_natural_decrease(actor=clerk, household_id=c.pk, reason="整户并入他户", effective_on=date(2020, 1, 1),
                               year=2020, member_reason="other")
    assert Household.objects.get(pk=c.pk).status == "cancelled"
    assert AuditEvent.objects.filter(object_type="registry.member", action="update",
                                     object_id=str(c.members.get().pk)).exists()


# --- Query counts -------------------------------------------------------------------------------

def _grow(users, n: int) -> None:
    for i in range(n):
        h = filed(f"61092610000109{i:02d}", VILLAGE_A, on=date(2015, 3, 1), actor=users["county"], members=2)
        household_exit(actor=users["county"], household_id=h.pk, year=2018, effective_on=date(2018, 11, 1),
                       reason="脱贫退出")


def _reads(user) -> list:
    counts = registry_as_of_counts(user, on=date(2019, 1, 1), region_code=COUNTY)
    page = list(registry_as_of(user, on=date(2019, 1, 1), region_code=COUNTY)[:50])
    changes = status_change_counts(user, region_code=COUNTY, year_from=2014, year_to=2020)
    return [counts, [(h.village.name, h.status_on, h.persons_on) for h in page], changes]


def test_as_of_and_counts_use_a_constant_number_of_queries(users, history, django_assert_max_num_queries):
    county = users["county"]
    with CaptureQueriesContext(connection) as small:
        _reads(county)
    _grow(users, 25)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as large:
        counts, page, _changes = _reads(county)
    assert len(small) == len(large) == 3
    assert counts["households"] == 28 and len(page) == 28


def test_web_page_query_count_does_not_grow(login, users, history, django_assert_max_num_queries):
    client = login(users["county"])
    url = reverse("web:status_changes", args=[COUNTY])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"on": "2019-01-01"}).status_code == 200
    _grow(users, 25)
    with django_assert_max_num_queries(len(small)):
        resp = client.get(url, {"on": "2019-01-01"})
    assert resp.status_code == 200 and resp.context["page"].paginator.count == 28


# --- Web ------------------------------------------------------------------------------------------

def test_status_changes_page(login, users, history):
    client = login(users["county"])
    url = reverse("web:status_changes", args=[COUNTY])
    assert url == "/r/610926000000/status/"
    resp = client.get(url, {"on": "2016-12-01", "from": "2014", "to": "2020"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "户状态变动" in html and "新识别" in html and "返贫" in html and "1 户 / 3 人" in html
    assert [r["year"] for r in resp.context["year_rows"]] == [2014, 2015, 2016, 2019, 2020]
    assert resp.context["as_of"]["households"] == 3
    assert {row["h"].household_no: row["status_on_label"] for row in resp.context["rows"]} == {
        "610926100001001": "已脱贫", "610926100002001": "未脱贫", "610926101001001": "未脱贫"}
    assert reverse("web:household", args=[history["a"].pk]) in html
    # Filtered by the status on that day; a bad date falls back to today with a warning.
    resp = client.get(url, {"on": "2016-12-01", "status": "exited"})
    assert [row["h"].household_no for row in resp.context["rows"]] == ["610926100001001"]
    resp = client.get(url, {"on": "2016-13-45"})
    assert resp.status_code == 200 and resp.context["on"] == timezone.localdate()
    # Out of scope: 404; a cadre sees their paired households only.
    assert login(users["clerk_a"]).get(reverse("web:status_changes", args=[VILLAGE_B])).status_code == 404
    assert login(users["stranger"]).get(url).status_code == 404
    assert login(users["cadre"]).get(reverse("web:status_changes", args=[TOWNSHIP_A])).context["rows"] == []


def test_household_page_shows_history_and_the_removal_form_to_the_county_only(login, users, history):
    a = history["a"]
    page = reverse("web:household", args=[a.pk])
    html = login(users["county"]).get(page).content.decode()
    assert "户状态变更记录" in html and "2016-12-01" in html and "因病返贫" in html and "township_a" in html
    assert "返贫" in html and "清退（剔除）此户" in html and reverse("web:household_remove", args=[a.pk]) in html
    clerk_html = login(users["clerk_a"]).get(page).content.decode()
    assert "2016-12-01" in clerk_html and "清退（剔除）此户" not in clerk_html


def test_removal_via_the_web(login, users, history):
    a = history["a"]
    url = reverse("web:household_remove", args=[a.pk])
    body = {"reason": "识别不精准，有商品房", "effective_on": "2020-04-01"}
    assert login(users["clerk_a"]).post(url, body).status_code == 403
    assert login(users["township_a"]).get(url).status_code == 403
    assert login(users["clerk_b"]).post(url, body).status_code == 404
    assert login(users["stranger"]).post(url, body).status_code == 404
    client = login(users["county"])
    resp = client.post(url, {"reason": "", "effective_on": "2019-01-01"})
    assert resp.status_code == 200 and "清退必须填写原因" in resp.content.decode()
    resp = client.post(url, {"reason": "识别不精准", "effective_on": "2019-01-01"})
    assert resp.status_code == 200 and "不能早于该户上一次状态变更" in resp.content.decode()
    assert Household.objects.get(pk=a.pk).status == "returned"
    resp = client.post(url, body)
    assert resp.status_code == 302 and resp["Location"].endswith("#zhuangtai")
    event = HouseholdStatusEvent.objects.get(household=a, kind="removed")
    assert (event.effective_on, event.year, event.actor_name, event.reason) == (
        date(2020, 4, 1), 2020, "county", "识别不精准，有商品房")
    resp = client.get(url)
    assert "已不在册" in resp.content.decode()
    assert "清退（剔除）此户" not in client.get(reverse("web:household", args=[a.pk])).content.decode()


# --- API ------------------------------------------------------------------------------------------

def test_api_status_changes_and_registry_as_of(api, users, history):
    client = api("county")
    data = client.get(f"/api/v1/regions/{COUNTY}/status-changes", {"from": 2016, "to": 2020}).json()
    assert (data["year_from"], data["year_to"], data["region_code"]) == (2016, 2020, COUNTY)
    assert {(r["year"], r["kind"], r["households"], r["persons"]) for r in data["rows"]} == {
        (2016, "new", 1, 1), (2016, "exited", 1, 3), (2019, "exited", 1, 2), (2020, "returned", 1, 3)}
    assert next(r for r in data["rows"] if r["kind"] == "returned")["label"] == "返贫"
    assert_error(client.get(f"/api/v1/regions/{COUNTY}/status-changes", {"from": 2020, "to": 2016}), 400)
    assert_error(client.get(f"/api/v1/regions/{COUNTY}/status-changes", {"from": "去年"}), 400)
    assert_error(api("clerk_a").get(f"/api/v1/regions/{VILLAGE_B}/status-changes"), 404)
    assert_error(api("stranger").get(f"/api/v1/regions/{COUNTY}/status-changes"), 404)

    url = f"/api/v1/regions/{COUNTY}/registry-as-of"
    data = client.get(url, {"on": "2016-12-01", "page_size": 2}).json()
    assert (data["on"], data["households"], data["persons"], data["count"]) == ("2016-12-01", 3, 6, 3)
    assert {r["status"]: r["households"] for r in data["by_status"]}["not_exited"] == 2
    assert [(r["household_no"], r["status_on"], r["status_on_label"], r["persons_on"]) for r in data["results"]] == [
        ("610926100001001", "exited", "已脱贫", 3), ("610926100002001", "not_exited", "未脱贫", 2)]
    assert data["next"] and "page=2" in data["next"]
    filtered = client.get(url, {"on": "2016-12-01", "status": "exited"}).json()
    assert [r["household_no"] for r in filtered["results"]] == ["610926100001001"]
    assert_error(client.get(url), 400)
    assert_error(client.get(url, {"on": "2016-02-30"}), 400)
    assert_error(api("clerk_b").get(f"/api/v1/regions/{TOWNSHIP_A}/registry-as-of", {"on": "2020-01-01"}), 404)
    assert_error(api("clerk_b").get(url, {"on": "2020-01-01"}), 404)  # above the clerk's village
    mine = api("clerk_b").get(f"/api/v1/regions/{VILLAGE_B}/registry-as-of", {"on": "2020-01-01"}).json()
    assert [r["household_no"] for r in mine["results"]] == ["610926101001001"]
    # A cadre sees the households paired with them only.
    Household.objects.filter(pk=history["a"].pk).update(helper=users["cadre"])
    paired = api("cadre").get(f"/api/v1/regions/{TOWNSHIP_A}/registry-as-of", {"on": "2020-01-01"}).json()
    assert [r["household_no"] for r in paired["results"]] == ["610926100001001"] and paired["households"] == 1


def test_api_remove(api, users, history):
    a = history["a"]
    url = f"/api/v1/households/{a.pk}/remove"
    body = {"reason": "识别不精准", "effective_on": "2020-04-01"}
    assert "县级审批员" in assert_error(api("clerk_a").post(url, body, format="json"), 403)["message"]
    assert_error(api("township_a").post(url, body, format="json"), 403)
    assert_error(api("stranger").post(url, body, format="json"), 404)
    assert_error(api("clerk_b").post(url, body, format="json"), 404)
    client = api("county")
    error = assert_error(client.post(url, {"effective_on": "2020-13-01"}, format="json"), 400, "invalid")
    assert set(error["fields"]) == {"reason", "effective_on"}
    assert Household.objects.get(pk=a.pk).status == "returned"
    resp = client.post(url, body, format="json")
    assert resp.status_code == 201, resp.content
    event = resp.json()
    assert (event["kind"], event["kind_label"], event["to_status"], event["effective_on"], event["year"],
            event["actor_name"]) == ("removed", "清退/剔除", "removed", "2020-04-01", 2020, "county")
    assert "已不在册" in assert_error(client.post(url, body, format="json"), 400)["message"]
    assert client.get(f"/api/v1/households/{a.pk}/status-history").json()[-1]["kind"] == "removed"


# --- CLI ------------------------------------------------------------------------------------------

def test_status_counts_command(history):
    out = StringIO()
    call_command("status_counts", "--region", "610926", "--from", "2016", "--to", "2020", "--on", "2020-03-01",
                 "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["region"]["code"] == COUNTY
    assert {(r["year"], r["kind"], r["households"]) for r in data["rows"]} == {
        (2016, "new", 1), (2016, "exited", 1), (2019, "exited", 1), (2020, "returned", 1)}
    assert data["as_of"]["on"] == "2020-03-01" and data["as_of"]["households"] == 3
    text = StringIO()
    call_command("status_counts", "--region", "610926", stdout=text)
    assert "户状态变动" in text.getvalue() and "已脱贫" in text.getvalue()
    with pytest.raises(SystemExit):
        call_command("status_counts", "--region", "610926", "--on", "昨天", "--json", stdout=StringIO())
