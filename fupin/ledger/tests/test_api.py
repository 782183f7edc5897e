"""The ledger API: list with filters, create, detail, actions, evidence upload, from-quality, stats;
scope (404), rights (403), Chinese JSON errors."""

from datetime import date

import pytest

from fupin.ledger.models import Evidence, LedgerItem

from .helpers import make_item, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(users, households):
    return make_item(users["township_a"], household=households["a1"], deadline=date(2020, 12, 14), title="收入有误")


def test_list_detail_and_filters(api, users, item):
    make_item(users["township_b"], region_code="610926101001", title="兴隆", deadline=date(2021, 1, 1))
    c = api("county")
    r = c.get("/api/v1/ledger/items")
    assert r.status_code == 200 and r.json()["count"] == 2
    r = c.get("/api/v1/ledger/items", {"overdue": "true"}).json()
    assert [i["id"] for i in r["results"]] == [item.pk] and r["results"][0]["overdue_days"] == 1
    r = c.get("/api/v1/ledger/items", {"overdue": "true", "on": "2020-12-14"}).json()
    assert r["count"] == 0
    assert c.get("/api/v1/ledger/items", {"region": "610926101"}).json()["count"] == 1
    assert c.get("/api/v1/ledger/items", {"state": "closed"}).json()["count"] == 0
    r = c.get("/api/v1/ledger/items", {"state": "bogus"})
    assert r.status_code == 400 and "state" in r.json()["error"]["fields"]
    d = c.get(f"/api/v1/ledger/items/{item.pk}").json()
    assert d["title"] == "收入有误" and d["events"][0]["kind"] == "created" and d["household_no"] == "610926100001001"
    assert d["actions"] == ["assign", "start", "evidence"]
    assert api("township_b").get(f"/api/v1/ledger/items/{item.pk}").status_code == 404
    assert api("township_b").get("/api/v1/ledger/items", {"region": "610926100"}).status_code == 404
    assert api("cadre").get("/api/v1/ledger/items").json()["count"] == 1  # a1 is paired with the cadre


def test_create_and_life_cycle(api, users, households):
    t = api("township_a")
    r = t.post("/api/v1/ledger/items", {"source": "audit", "region_code": "610926100001", "title": "审计发现问题",
                                        "deadline": "2021-01-15", "responsible_id": users["clerk_a"].pk,
                                        "source_ref": "审计〔2020〕12号"}, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    r = t.post("/api/v1/ledger/items", {"source": "audit", "region_code": "610926100001", "title": "重复",
                                        "source_ref": "审计〔2020〕12号"}, format="json")
    assert r.status_code == 400 and "已在问题台账中" in r.json()["error"]["message"]
    r = t.post("/api/v1/ledger/items", {"source": "crosscheck", "region_code": "610926100001", "title": "x"},
               format="json")
    assert r.status_code == 400
    clerk = api("clerk_a")
    assert clerk.post("/api/v1/ledger/items", {"source": "audit", "region_code": "610926100001", "title": "x"},
                      format="json").status_code == 403
    r = clerk.post(f"/api/v1/ledger/items/{pk}/start", {}, format="json")
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"measures": ["整改措施不能为空"]}
    assert clerk.post(f"/api/v1/ledger/items/{pk}/start", {"measures": "补录"}, format="json").status_code == 200
    r = clerk.post(f"/api/v1/ledger/items/{pk}/evidence", {"files": [pdf("a.txt", b"x")]}, format="multipart")
    assert r.status_code == 400 and "类型不允许" in r.json()["error"]["message"]
    r = clerk.post(f"/api/v1/ledger/items/{pk}/evidence", {"files": [pdf(), pdf("照片.png", b"\x89PNG\r\n\x1a\nxx")]},
                   format="multipart")
    assert r.status_code == 201 and [e["file_name"] for e in r.json()["evidence"]] == ["整改报告.pdf", "照片.png"]
    assert clerk.post(f"/api/v1/ledger/items/{pk}/submit", {}, format="json").json()["state"] == "submitted"
    r = t.post(f"/api/v1/ledger/items/{pk}/close", {}, format="json")
    assert r.status_code == 400 and "须经核验通过后才能销号" in r.json()["error"]["message"]
    assert clerk.post(f"/api/v1/ledger/items/{pk}/verify", {}, format="json").status_code == 403
    r = t.post(f"/api/v1/ledger/items/{pk}/return", {"reason": ""}, format="json")
    assert r.status_code == 400 and "退回原因不能为空" in r.json()["error"]["message"]
    assert t.post(f"/api/v1/ledger/items/{pk}/verify", {"note": "ok"}, format="json").json()["state"] == "verified"
    r = t.post(f"/api/v1/ledger/items/{pk}/close", {"on": "2020-12-16"}, format="json")
    assert r.status_code == 400 and "不能晚于今天" in r.json()["error"]["message"]
    d = t.post(f"/api/v1/ledger/items/{pk}/close", {}, format="json").json()
    assert (d["state"], d["closed_on"]) == ("closed", "2020-12-15")
    r = t.post(f"/api/v1/ledger/items/{pk}/assign", {"deadline": "2021-02-01"}, format="json")
    assert r.status_code == 400 and "已销号" in r.json()["error"]["message"]
    d = t.post(f"/api/v1/ledger/items/{pk}/reopen", {"reason": "回访反弹"}, format="json").json()
    assert (d["state"], d["reopen_count"], d["closed_on"]) == ("rectifying", 1, None)
    d = t.post(f"/api/v1/ledger/items/{pk}/assign", {"deadline": "2021-02-01", "responsible_id": None},
               format="json").json()
    assert (d["deadline"], d["responsible_id"]) == ("2021-02-01", None)
    assert Evidence.objects.filter(item_id=pk).count() == 2


def test_city_viewer_read_only(api, item):
    c = api("city")
    assert c.get(f"/api/v1/ledger/items/{item.pk}").json()["actions"] == []
    for action in ("start", "submit", "return", "verify", "close", "reopen", "assign"):
        r = c.post(f"/api/v1/ledger/items/{item.pk}/{action}", {"reason": "x", "measures": "x"}, format="json")
        assert r.status_code == 403, action
    assert c.post(f"/api/v1/ledger/items/{item.pk}/evidence", {"files": [pdf()]}, format="multipart").status_code == 403
    assert LedgerItem.objects.get(pk=item.pk).state == "open"


def test_from_quality_and_stats(api, users, households):
    t = api("township_a")
    body = {"household_id": households["a2"].pk, "rule_code": "r19", "year": 2020}
    r = t.post("/api/v1/ledger/from-quality", body, format="json")
    assert r.status_code == 201, r.json()
    d = r.json()
    assert (d["source"], d["source_ref"], d["region_code"]) == (
        "quality", f"quality:R19:{households['a2'].pk}:-:2020", "610926100002")
    assert d["inputs"]["rule"] == "R19" and "帮扶责任人" in d["title"]
    r = t.post("/api/v1/ledger/from-quality", body, format="json")
    assert r.status_code == 400 and "尚未销号" in r.json()["error"]["message"]
    r = t.post("/api/v1/ledger/from-quality", {**body, "household_id": households["a1"].pk}, format="json")
    assert r.status_code == 400 and "已不存在" in r.json()["error"]["message"]
    r = t.post("/api/v1/ledger/from-quality", {**body, "rule_code": "X99"}, format="json")
    assert r.status_code == 400 and "不存在" in r.json()["error"]["message"]
    r = t.post("/api/v1/ledger/from-quality", {**body, "household_id": households["b1"].pk}, format="json")
    assert r.status_code == 404
    s = api("county").get("/api/v1/ledger/stats", {"region": "610926", "on": "2020-12-15"}).json()
    assert s["totals"]["total"] == 1 and s["totals"]["open"] == 1
    assert [r["name"] for r in s["by_region"]] == ["城关镇", "兴隆镇"]
    assert s["by_region"][0]["total"] == 1 and "时限当天不算逾期" in s["rule"]
    assert api("township_b").get("/api/v1/ledger/stats", {"region": "610926100"}).status_code == 404
