"""The ledger pages: region page (statistics, list, overdue marked), overdue list, register form, item page
with its action forms, evidence download, the quality page's button; scope (404) and rights (403)."""

from datetime import date

import pytest

from fupin.ledger.models import Evidence, LedgerItem

from .helpers import make_item, pdf, run_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(users, households):
    t = users["township_a"]
    return {
        "late": make_item(t, household=households["a1"], deadline=date(2020, 12, 14), title="收入核算有误"),
        "due": make_item(t, household=households["a2"], deadline=date(2020, 12, 15), title="住房安全未鉴定"),
        "b": make_item(users["township_b"], region_code="610926101001", title="兴隆村问题", deadline=date(2021, 1, 31)),
    }


def test_region_page_and_overdue(client, login, users, items, django_assert_max_num_queries):
    login(users["county"])
    with django_assert_max_num_queries(25):
        page = client.get("/r/610926000000/ledger/").content.decode()
    assert "问题台账" in page and "收入核算有误" in page and "兴隆村问题" in page and "城关镇" in page
    assert page.count("row-overdue") == 1 and "逾期 1 天" in page
    page = client.get("/r/610926000000/ledger/overdue/").content.decode()
    assert "逾期问题（1 个）" in page and "收入核算有误" in page and "住房安全未鉴定" not in page
    page = client.get("/r/610926000000/ledger/overdue/?on=2020-12-16").content.decode()
    assert "逾期问题（2 个）" in page
    page = client.get("/r/610926000000/ledger/?source=audit").content.decode()
    assert "问题清单（0 个）" in page


def test_scope_on_pages(client, login, users, items):
    login(users["township_b"])
    assert client.get("/r/610926100000/ledger/").status_code == 404
    assert client.get(f"/ledger/items/{items['late'].pk}/").status_code == 404
    assert client.get("/r/610926000000/ledger/").status_code == 404
    page = client.get("/r/610926101000/ledger/").content.decode()
    assert "兴隆村问题" in page and "收入核算有误" not in page
    login(users["cadre"])  # paired with a1 only
    assert client.get(f"/ledger/items/{items['late'].pk}/").status_code == 200
    assert client.get(f"/ledger/items/{items['due'].pk}/").status_code == 404
    assert client.post(f"/ledger/items/{items['late'].pk}/", {"action": "start", "start-measures": "x"}).status_code == 403
    login(users["city"])
    assert client.get(f"/ledger/items/{items['late'].pk}/").status_code == 200
    r = client.post(f"/ledger/items/{items['late'].pk}/", {"action": "close"})
    assert r.status_code == 403
    assert client.get("/r/610926000000/ledger/new/").status_code == 403


def test_item_page_life_cycle(client, login, users, items, media):
    item = items["late"]
    url = f"/ledger/items/{item.pk}/"
    login(users["clerk_a"])
    page = client.get(url).content.decode()
    assert "开始整改" in page and "核验通过" not in page and "逾期 1 天" in page
    r = client.post(url, {"action": "start", "start-measures": ""})
    assert r.status_code == 200 and "该字段是必填项" in r.content.decode()
    assert client.post(url, {"action": "start", "start-measures": "重新核算收入"}).status_code == 302
    r = client.post(url, {"action": "submit"})
    assert "请至少上传一份整改佐证材料" in r.content.decode()
    r = client.post(url, {"action": "evidence", "evidence-files": [pdf("说明.txt", b"x")]})
    assert "类型不允许" in r.content.decode() and Evidence.objects.count() == 0
    assert client.post(url, {"action": "evidence", "evidence-files": [pdf()]}).status_code == 302
    assert client.post(url, {"action": "submit"}).status_code == 302
    ev = Evidence.objects.get()
    download = client.get(f"/ledger/evidence/{ev.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    login(users["township_b"])
    assert client.get(f"/ledger/evidence/{ev.pk}/").status_code == 404
    login(users["township_a"])
    r = client.post(url, {"action": "close"})
    assert "整改须经核验通过后才能销号" in r.content.decode()
    assert client.post(url, {"action": "verify", "verify-note": "已核实"}).status_code == 302
    assert client.post(url, {"action": "close"}).status_code == 302
    item.refresh_from_db()
    assert (item.state, item.closed_on) == ("closed", date(2020, 12, 15))
    page = client.get(url).content.decode()
    assert "重新打开" in page and "销号用时" in page and "44 天" in page


def test_register_form(client, login, users, households):
    login(users["township_a"])
    page = client.get("/r/610926100000/ledger/new/").content.decode()
    assert "巡视督查" in page and "龙头村" in page and "兴隆村" not in page
    r = client.post("/r/610926100000/ledger/new/", {"source": "audit", "region_code": "610926100000",
                                                    "household_no": "610926101001001", "title": "审计发现"})
    assert "不存在或不在您的管辖范围内" in r.content.decode() and not LedgerItem.objects.exists()
    r = client.post("/r/610926100000/ledger/new/", {
        "source": "inspection", "region_code": "610926100000", "household_no": "610926100002001",
        "title": "帮扶措施不精准", "description": "巡视反馈", "deadline": "2021-01-31",
        "responsible": users["clerk_b"].pk})
    assert "不在可用的选项中" in r.content.decode()  # another township's clerk is not offered
    r = client.post("/r/610926100000/ledger/new/", {
        "source": "inspection", "region_code": "610926100000", "household_no": "610926100002001",
        "title": "帮扶措施不精准", "responsible": users["clerk_a"].pk})
    assert "不包含该问题所属区划" in r.content.decode() and not LedgerItem.objects.exists()
    r = client.post("/r/610926100000/ledger/new/", {
        "source": "inspection", "region_code": "610926100000", "household_no": "610926100002001",
        "title": "帮扶措施不精准", "deadline": "2021-01-31", "responsible": users["township_a"].pk})
    item = LedgerItem.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/ledger/items/{item.pk}/"
    assert (item.region_code, item.household_id, item.deadline, item.source) == (
        "610926100002", households["a2"].pk, date(2021, 1, 31), "inspection")


def test_quality_page_button(client, login, users, households):
    login(users["township_a"])
    page = client.get("/r/610926100002/quality/?year=2020").content.decode()
    assert "列入问题台账" in page
    r = client.post("/r/610926100002/ledger/from-quality/", {
        "household_id": households["a2"].pk, "rule": "R19", "year": "2020",
        "next": "/r/610926100002/quality/?year=2020"})
    item = LedgerItem.objects.get()
    assert r.status_code == 302 and item.source == "quality"
    page = client.get("/r/610926100002/quality/?year=2020").content.decode()
    assert "已列入问题台账（待整改）" in page and f"/ledger/items/{item.pk}/" in page
    r = client.post("/r/610926100002/ledger/from-quality/", {
        "household_id": households["a2"].pk, "rule": "R19", "year": "2020", "next": "/r/610926100002/quality/"})
    assert r.status_code == 302 and LedgerItem.objects.count() == 1
    login(users["clerk_a"])  # may not manage the ledger: no button
    page = client.get("/r/610926100001/quality/?year=2020").content.decode()
    assert "列入问题台账" not in page


def test_household_section(users, households, items):
    from django.template.loader import render_to_string

    from fupin.ledger.selectors import household_ledger_context

    ctx = household_ledger_context(users["county"], households["a1"])
    html = render_to_string("web/ledger/_household_section.html", ctx)
    assert "收入核算有误" in html and "逾期 1 个" in html
    run_to(items["due"], "closed", manager=users["township_a"], rectifier=users["township_a"],
           verifier=users["county"], day=date(2020, 12, 1))
    ctx = household_ledger_context(users["county"], households["a2"])
    assert ctx["ledger_section"]["open"] == 0
