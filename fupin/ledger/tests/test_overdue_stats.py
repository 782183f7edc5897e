"""Overdue at the boundary day and the statistics numbers (exact counts, average/median closure days)."""

from datetime import date

import pytest

from fupin.ledger import services
from fupin.ledger.rules import is_overdue
from fupin.ledger.selectors import item_list, ledger_stats, ledger_stats_in_region
from fupin.regions.models import Region

from .helpers import make_item, pdf, run_to

D = date(2020, 12, 15)


def test_overdue_on_deadline_day_vs_day_after(users):
    t = users["township_a"]
    item = make_item(t, deadline=D)
    assert not is_overdue(item.state, item.deadline, D)
    assert is_overdue(item.state, item.deadline, date(2020, 12, 16))
    code = "610926100000"
    assert list(item_list(t, region_code=code, overdue=True, on=D)) == []
    assert list(item_list(t, region_code=code, overdue=True, on=date(2020, 12, 16))) == [item]
    county = Region.objects.get(code="610926000000")
    assert ledger_stats(t, region=county, on=D).totals.overdue == 0
    assert ledger_stats(t, region=county, on=date(2020, 12, 16)).totals.overdue == 1
    # due soon: deadline within 7 days (ledger.due_soon_days) counting from D
    assert list(item_list(t, region_code=code, due_soon=True, on=D)) == [item]
    assert list(item_list(t, region_code=code, due_soon=True, on=date(2020, 12, 16))) == []
    assert list(item_list(t, region_code=code, due_soon=True, on=date(2020, 12, 8))) == [item]
    assert list(item_list(t, region_code=code, due_soon=True, on=date(2020, 12, 7))) == []


def test_submitted_item_is_not_overdue(users):
    t, clerk = users["township_a"], users["clerk_a"]
    item = make_item(t, deadline=date(2020, 11, 5))
    run_to(item, "submitted", manager=t, rectifier=clerk, day=date(2020, 11, 10))
    assert list(item_list(t, region_code="610926100000", overdue=True, on=D)) == []
    stats = ledger_stats(t, region=Region.objects.get(code="610926100000"), on=D)
    assert (stats.totals.overdue, stats.totals.late_submitted, stats.totals.submitted) == (0, 1, 1)


@pytest.fixture
def ledger(users):
    t, tb, county, clerk, clerk_b = (users[k] for k in ("township_a", "township_b", "county", "clerk_a", "clerk_b"))
    nov1 = date(2020, 11, 1)
    items = {
        "i1": make_item(t, source="inspection", deadline=D),
        "i2": make_item(t, source="audit", deadline=date(2020, 12, 14)),
        "i3": make_item(tb, source="inspection", region_code="610926101001"),
        "i4": make_item(tb, source="inspection", region_code="610926101001", found_on=date(2020, 10, 1),
                        deadline=date(2020, 11, 10)),
        "i5": make_item(t, source="other", region_code="610926100000"),
        "i6": make_item(t, source="audit", deadline=date(2020, 11, 5)),
        "i7": make_item(county, source="audit", region_code="610926000000", found_on=date(2020, 12, 1),
                        deadline=date(2020, 12, 20)),
    }
    assert items["i1"].found_on == nov1
    run_to(items["i2"], "rectifying", manager=t, rectifier=clerk, day=date(2020, 11, 2))
    run_to(items["i3"], "closed", manager=tb, rectifier=clerk_b, day=date(2020, 11, 11))  # 10 days
    run_to(items["i4"], "closed", manager=tb, rectifier=clerk_b, day=date(2020, 11, 21))  # 51 days
    run_to(items["i5"], "closed", manager=t, rectifier=t, verifier=county, day=date(2020, 11, 5))  # 4 days
    run_to(items["i6"], "submitted", manager=t, rectifier=clerk, day=date(2020, 11, 10))  # late
    return items


def _t(tally):
    return (tally.total, tally.open, tally.rectifying, tally.submitted, tally.verified, tally.closed, tally.overdue,
            tally.late_submitted, tally.due_soon, tally.closure_avg_days, tally.closure_median_days)


def test_statistics_numbers(users, ledger, django_assert_max_num_queries):
    county = Region.objects.get(code="610926000000")
    with django_assert_max_num_queries(8):
        s = ledger_stats(users["county"], region=county, on=D)
    assert _t(s.totals) == (7, 2, 1, 1, 0, 3, 1, 2, 2, 21.7, 10.0)
    rows = {r.label: _t(r.tally) for r in s.by_region}
    assert rows == {
        "城关镇": (4, 1, 1, 1, 0, 1, 1, 1, 1, 4.0, 4.0),
        "兴隆镇": (2, 0, 0, 0, 0, 2, 0, 1, 0, 30.5, 30.5),
        "平利县本级": (1, 1, 0, 0, 0, 0, 0, 0, 1, None, None),
    }
    sources = {r.key: _t(r.tally) for r in s.by_source}
    assert sources == {
        "crosscheck": (0, 0, 0, 0, 0, 0, 0, 0, 0, None, None),
        "quality": (0, 0, 0, 0, 0, 0, 0, 0, 0, None, None),
        "inspection": (3, 1, 0, 0, 0, 2, 0, 1, 1, 30.5, 30.5),
        "audit": (3, 1, 1, 1, 0, 0, 1, 1, 1, None, None),
        "other": (1, 0, 0, 0, 0, 1, 0, 0, 0, 4.0, 4.0),
    }
    assert [i.pk for i in s.overdue] == [ledger["i2"].pk]
    data = s.as_dict()
    assert data["overdue"][0]["overdue_days"] == 1 and data["overdue_count"] == 1


def test_statistics_as_of_an_earlier_day(users, ledger):
    s = ledger_stats_in_region(region=Region.objects.get(code="610926000000"), on=date(2020, 11, 15))
    # i7 not yet found; i4 still open and overdue (deadline 11-10); i6 submitted late on 11-10; i3 and i5 closed
    assert _t(s.totals) == (6, 2, 1, 1, 0, 2, 1, 1, 0, 7.0, 7.0)
    assert [i.pk for i in s.overdue] == [ledger["i4"].pk]


def test_statistics_scoped(users, ledger):
    county = Region.objects.get(code="610926000000")
    s = ledger_stats(users["township_a"], region=county, on=D)  # sees only 城关镇
    assert s.totals.total == 4
    assert {r.label: r.tally.total for r in s.by_region} == {"城关镇": 4, "兴隆镇": 0}
    assert ledger_stats(users["cadre"], region=county, on=D).totals.total == 0  # none about its households


def test_evidence_refused_writes_nothing(users, media):
    t, clerk = users["township_a"], users["clerk_a"]
    item = make_item(t)
    from django.core.exceptions import ValidationError

    from fupin.ledger.models import Evidence, ItemEvent
    bad = [pdf("说明.txt", b"hello"), pdf("假.pdf", b"not a pdf"), pdf("大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))]
    for f in bad:
        with pytest.raises(ValidationError) as exc:
            services.evidence_add(actor=clerk, item_id=item.pk, files=[pdf(), f])
        assert "files" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=clerk, item_id=item.pk, files=[bad[0], bad[1]])
    assert len(exc.value.message_dict["files"]) == 2
    assert "类型不允许" in exc.value.message_dict["files"][0]
    assert "内容与扩展名 .pdf 不符" in exc.value.message_dict["files"][1]
    assert Evidence.objects.count() == 0 and ItemEvent.objects.filter(kind="evidence").count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_evidence_files_removed_when_transaction_fails(users, media, monkeypatch):
    t, clerk = users["township_a"], users["clerk_a"]
    item = make_item(t)
    from fupin.ledger import services as svc
    from fupin.ledger.models import Evidence

    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(svc, "record_many", boom)
    with pytest.raises(RuntimeError):
        svc.evidence_add(actor=clerk, item_id=item.pk, files=[pdf()])
    assert Evidence.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []  # the file written is removed again
