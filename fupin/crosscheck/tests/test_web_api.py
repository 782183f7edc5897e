"""Web pages and API: scope (township sees only its suspects, cadre nothing, clerk cannot upload),
pushed rows, dismiss and ledger actions."""

import io

from django.urls import reverse

from fupin.crosscheck.choices import DatasetKind, SuspectStatus
from fupin.crosscheck.models import Roster, Suspect
from fupin.crosscheck.selectors import household_crosscheck_context
from fupin.ledger.models import LedgerItem

from .helpers import COUNTY, head, load, outsider


def _payroll(users, households, tmp_path):
    rows = [[head(h).id_number, "x"] for h in households.values()] + [[outsider(1), "y"]]
    return load(users, tmp_path, DatasetKind.PAYROLL, ["证件号码", "工作单位"], rows)


def test_api_push_rows_and_scope(api, users, households):
    a1 = head(households["a1"])
    body = {"kind": "payroll", "region_code": "610926", "as_of": "2020-12-31", "name": "财政供养",
            "rows": [{"证件号码": a1.id_number, "姓名": "王一", "工作单位": "县财政局"},
                     {"id_number": head(households["b1"]).id_number}, {"证件号码": outsider(2)}]}
    r = api("county").post("/api/v1/crosscheck/rosters", body, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["row_count"] == 3 and {c["rule"]: c["total"] for c in data["counts"]}["four_have_payroll"] == 2
    assert data["rows"][0]["id_number"] == a1.id_number[:6] + "********" + a1.id_number[-4:]  # county: masked
    roster_id = data["id"]
    # township_a sees only 城关镇's suspect; township_b only 兴隆镇's; cadre nothing.
    seen = {who: {s["household_id"] for s in api(who).get("/api/v1/crosscheck/suspects").json()["results"]}
            for who in ("township_a", "township_b", "cadre", "auditor")}
    assert seen == {"township_a": {households["a1"].pk}, "township_b": {households["b1"].pk}, "cadre": set(),
                    "auditor": {households["a1"].pk, households["b1"].pk}}
    auditor = api("auditor").get(f"/api/v1/crosscheck/rosters/{roster_id}").json()
    assert auditor["rows"][0]["id_number"] == a1.id_number  # auditor sees ID numbers in lists
    # The county roster is outside a township's scope; township users do not see its rows.
    assert api("township_a").get(f"/api/v1/crosscheck/rosters/{roster_id}").status_code == 404
    # Clerk cannot load (403), nothing written; bad rows answer 400 naming the row.
    r = api("clerk_a").post("/api/v1/crosscheck/rosters", body, format="json")
    assert r.status_code == 403
    bad = {**body, "rows": [{"证件号码": "610926198001010000"}]}
    r = api("county").post("/api/v1/crosscheck/rosters", bad, format="json")
    assert r.status_code == 400 and "第 2 行" in r.json()["error"]["message"]
    assert Roster.objects.count() == 1


def test_api_upload_file_filter_dismiss_and_ledger(api, users, households):
    a1, a2 = head(households["a1"]), head(households["a2"])
    csv = f"证件号码,车辆类型\n{a1.id_number},小型轿车\n{a2.id_number},小型轿车\n".encode()
    f = io.BytesIO(csv)
    f.name = "cars.csv"
    r = api("county").post("/api/v1/crosscheck/rosters", {"kind": "vehicle", "region_code": COUNTY,
                                                          "as_of": "2020-12-31", "file": f}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["file_name"] == "cars.csv"
    listed = api("township_a").get("/api/v1/crosscheck/suspects?rule=four_have_vehicle&status=new").json()
    assert listed["count"] == 2
    s1, s2 = sorted(listed["results"], key=lambda s: s["household_id"])
    # township_a may send to the ledger but not dismiss (RUN_CROSSCHECK is county/auditor).
    assert api("township_a").post(f"/api/v1/crosscheck/suspects/{s1['id']}/dismiss", {"reason": "x"},
                                  format="json").status_code == 403
    r = api("county").post(f"/api/v1/crosscheck/suspects/{s1['id']}/dismiss", {"reason": ""}, format="json")
    assert r.status_code == 400 and "排除理由" in r.json()["error"]["message"]
    r = api("county").post(f"/api/v1/crosscheck/suspects/{s1['id']}/dismiss", {"reason": "车辆已过户"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    r = api("township_a").post(f"/api/v1/crosscheck/suspects/{s2['id']}/ledger", {}, format="json")
    assert r.status_code == 201, r.content
    item = LedgerItem.objects.get(pk=r.json()["ledger_item_id"])
    assert item.source == "crosscheck" and item.source_ref == f"crosscheck.suspect:{s2['id']}"
    assert item.household_id == households["a2"].pk and item.description == Suspect.objects.get(pk=s2["id"]).reason
    assert Suspect.objects.get(pk=s2["id"]).status == SuspectStatus.LEDGER
    assert api("township_a").post(f"/api/v1/crosscheck/suspects/{s2['id']}/ledger", {},
                                  format="json").status_code == 400
    assert api("township_b").post(f"/api/v1/crosscheck/suspects/{s2['id']}/ledger", {},
                                  format="json").status_code == 404
    assert api("county").get("/api/v1/crosscheck/suspects?rule=nope").status_code == 400


def test_web_pages_scope_and_actions(users, households, login, client, tmp_path, django_assert_max_num_queries):
    roster = _payroll(users, households, tmp_path)
    login(users["township_a"])
    r = client.get(reverse("web:region_crosscheck_suspects", args=["610926100000"]))
    assert r.status_code == 200
    text = r.content.decode()
    assert "王一" in text and "李三户" not in text
    assert head(households["a1"]).id_number not in text  # masked
    assert client.get(reverse("web:region_crosscheck", args=["610926101000"])).status_code == 404
    page = client.get(reverse("web:region_crosscheck", args=["610926100000"])).content.decode()
    assert "导入部门数据" not in page and "四有户：财政供养人员" in page
    assert client.post(reverse("web:region_crosscheck", args=["610926100000"]), {}).status_code == 403
    assert client.get(reverse("web:crosscheck_roster", args=[roster.pk])).status_code == 404
    login(users["cadre"])
    r = client.get(reverse("web:region_crosscheck_suspects", args=["610926100000"]))
    assert r.status_code == 200 and "王一户" not in r.content.decode()
    login(users["county"])
    with django_assert_max_num_queries(15):
        r = client.get(reverse("web:region_crosscheck_suspects", args=["610926000000"]))
    assert r.status_code == 200 and r.content.decode().count(">列入问题台账</button>") == 3
    with django_assert_max_num_queries(20):
        assert client.get(reverse("web:crosscheck_roster", args=[roster.pk])).status_code == 200
    s = Suspect.objects.get(roster=roster, household=households["b1"])
    url = reverse("web:region_crosscheck_suspects", args=["610926000000"])
    client.post(url, {"action": "dismiss", "suspect": s.pk, "reason": ""})
    assert Suspect.objects.get(pk=s.pk).status == SuspectStatus.NEW
    client.post(url, {"action": "dismiss", "suspect": s.pk, "reason": "已核实为同名不同人"})
    assert Suspect.objects.get(pk=s.pk).status == SuspectStatus.DISMISSED
    # Upload through the web form.
    f = io.BytesIO(f"身份证号,姓名\n{head(households['a1']).id_number},王一\n".encode("gbk"))
    f.name = "house.csv"
    r = client.post(reverse("web:region_crosscheck", args=["610926000000"]), {"kind": "housing", "file": f,
                                                                      "as_of": "2020-12-31"})
    assert r.status_code == 302
    assert Suspect.objects.filter(rule="four_have_housing").count() == 1
    ctx = household_crosscheck_context(users["county"], households["a1"])["crosscheck_section"]
    assert {x["rule"] for x in ctx["suspects"]} == {"four_have_payroll", "four_have_housing"}
    assert household_crosscheck_context(users["cadre"], households["a1"])["crosscheck_section"]["suspects"] == []
