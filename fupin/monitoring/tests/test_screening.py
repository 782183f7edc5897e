"""Screening boundaries: each signal just below / at / above its policy threshold."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from fupin.conftest import make_id_number
from fupin.crosscheck.choices import DatasetKind
from fupin.monitoring.screening import screen_risks
from fupin.policy.models import PolicyValue
from fupin.registry.models import MemberYear

from .conftest import exited_household, roster

COUNTY = "610926000000"


def _by_no(result):
    return {c.household_no: c for c in result.candidates if c.household_no}


@pytest.mark.django_db
def test_income_at_line_is_not_a_candidate_one_yuan_below_is(users):
    exited_household("H-AT", income=Decimal("6000"), last_income=Decimal("6000"))
    exited_household("H-BELOW", income=Decimal("5999"), last_income=Decimal("5999"))
    result = screen_risks(year=2020, region_code=COUNTY)
    found = _by_no(result)
    assert set(found) == {"H-BELOW"}
    c = found["H-BELOW"]
    assert [r["code"] for r in c.reasons] == ["income_below_line"]
    assert c.reasons[0]["text"] == "2020年人均纯收入 5999.00 元，低于监测范围 6000 元"
    assert c.reasons[0]["inputs"]["policy"][0]["key"] == "monitoring_line"
    assert c.object_type == "unstable"
    assert c.risk_types == ["illness"]  # main cause of the household (因病)
    assert result.counts["screened_households"] == 2 and result.counts["skipped_open_case"] == 0


@pytest.mark.django_db
def test_province_raises_the_line(users):
    exited_household("H-6500", income=Decimal("6500"), last_income=Decimal("6500"))
    assert screen_risks(year=2020, region_code=COUNTY).candidates == []
    PolicyValue.objects.create(key="monitoring_line", region_code="610000000000", year_from=2020, value=7300,
                               source="陕西省监测范围")
    found = _by_no(screen_risks(year=2020, region_code=COUNTY))
    assert found["H-6500"].reasons[0]["text"] == "2020年人均纯收入 6500.00 元，低于监测范围 7300 元"
    assert found["H-6500"].reasons[0]["inputs"]["policy"][0]["region_code"] == "610000000000"


@pytest.mark.django_db
def test_rigid_expenditure_must_exceed_last_year_income(users):
    # last year's net income: 2 × 8000 = 16000; ratio 1.0
    exited_household("H-EQ", expenditure=Decimal("16000"))
    exited_household("H-GT", expenditure=Decimal("16000.01"))
    found = _by_no(screen_risks(year=2020, region_code=COUNTY))
    assert set(found) == {"H-GT"}
    r = found["H-GT"].reasons[0]
    assert r["code"] == "rigid_expenditure"
    assert r["text"] == ("2020年合规自付支出 16000.01 元，超过上年（2019年）家庭纯收入 16000.00 元的 1 倍（16000.00 元）")
    assert found["H-GT"].risk_types == ["illness"]


@pytest.mark.django_db
def test_income_drop_at_ratio_is_a_candidate(users):
    exited_household("H-30", income=Decimal("7000"), last_income=Decimal("10000"))  # exactly 30 %
    exited_household("H-29", income=Decimal("7001"), last_income=Decimal("10000"))
    found = _by_no(screen_risks(year=2020, region_code=COUNTY))
    assert set(found) == {"H-30"}
    assert found["H-30"].reasons[0]["code"] == "income_drop"
    assert "下降 30.0%" in found["H-30"].reasons[0]["text"]


@pytest.mark.django_db
def test_new_serious_illness_only_when_not_ill_last_year(users):
    new = exited_household("H-NEW")
    exited_household("H-OLD")  # the head is 患有大病 in both years
    MemberYear.objects.filter(member__household=new, year=2019).update(health="healthy")
    found = _by_no(screen_risks(year=2020, region_code=COUNTY))
    assert set(found) == {"H-NEW"}
    r = found["H-NEW"].reasons[0]
    assert r["code"] == "new_serious_illness" and r["text"] == "成员张三2020年患有大病（2019年为健康）"
    assert found["H-NEW"].object_type == "unstable"


@pytest.mark.django_db
def test_department_rows_inside_and_outside_the_year(users):
    h = exited_household("H-DIS")
    head = h.members.order_by("id").first()
    stranger = make_id_number(date(1970, 5, 5), 77)
    roster(DatasetKind.DISASTER, [
        (head.id_number, head.name, {"事件类型": "自然灾害", "发生日期": "2020-07-10", "损失金额": "12000"}),
        (head.id_number, head.name, {"事件类型": "意外事故", "发生日期": "2019-12-31", "损失金额": "500"}),
    ])
    roster(DatasetKind.MEDICAL_EXPENSE, [
        (stranger, "赵六", {"自付费用": "20000", "结算日期": "2020-03-01", "行政村": "兴隆村"}),
        (make_id_number(date(1971, 5, 5), 78), "钱七", {"自付费用": "19999.99", "结算日期": "2020-03-01"}),
        (make_id_number(date(1972, 5, 5), 79), "孙八", {"自付费用": "50000", "结算日期": "2021-01-02"}),
    ])
    result = screen_risks(year=2020, region_code=COUNTY)
    found = _by_no(result)
    assert [r["code"] for r in found["H-DIS"].reasons] == ["dept_disaster"]
    assert found["H-DIS"].reasons[0]["text"].startswith(f"成员{head.name}2020-07-10 遭受自然灾害，损失 12000.00 元")
    assert found["H-DIS"].risk_types == ["disaster"]
    persons = [c for c in result.candidates if c.person]
    assert len(persons) == 1
    p = persons[0]
    assert p.person["name"] == "赵六" and p.person["id_number"] == stranger[:6] + "********" + stranger[-4:]
    assert p.village_code == "610926101001" and p.object_type == "sudden" and p.risk_types == ["illness"]
    assert "达到大额自付医疗费用 20000 元" in p.reasons[0]["text"]
    assert result.counts["persons"] == 1 and result.counts["households"] == 1
    # a township screen sees the person only in its own villages
    assert [c.person for c in screen_risks(year=2020, region_code="610926100000").candidates if c.person] == []


@pytest.mark.django_db
def test_open_case_households_are_skipped_and_order(users):
    from fupin.monitoring.services import case_identify

    exited_household("610926100002009", "610926100002", income=Decimal("100"))
    exited_household("610926100001009", income=Decimal("100"))
    h = exited_household("610926100001005", income=Decimal("100"))
    result = screen_risks(year=2020, region_code=COUNTY)
    assert [c.household_no for c in result.candidates] == ["610926100001005", "610926100001009", "610926100002009"]
    case_identify(actor=users["county"], household_id=h.pk, data={
        "object_type": "unstable", "risk_types": ["illness"], "discovery": "cadre_screening",
        "discovered_on": "2021-01-05", "identified_on": "2021-01-10", "notice_from": "2021-01-05",
        "notice_to": "2021-01-09", "year": 2020})
    result = screen_risks(year=2020, region_code=COUNTY)
    assert [c.household_no for c in result.candidates] == ["610926100001009", "610926100002009"]
    assert result.counts["skipped_open_case"] == 1


@pytest.mark.django_db
def test_screening_query_count_is_flat(users, django_assert_max_num_queries):
    for i in range(12):
        exited_household(f"H{i:03d}", income=Decimal("100"))
    with django_assert_max_num_queries(8):
        result = screen_risks(year=2020, region_code=COUNTY)
    assert len(result.candidates) == 12


@pytest.mark.django_db
def test_cli_json(users, capsys):
    exited_household("H-CLI", income=Decimal("5000"))
    call_command("screen_risks", "--year", "2020", "--region", "610926", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["region"] == COUNTY and data["year"] == 2020
    assert [c["household_no"] for c in data["candidates"]] == ["H-CLI"]
    assert data["candidates"][0]["reasons"][0]["code"] == "income_below_line"
    assert {p["key"] for p in data["policy"]} >= {"monitoring_line", "monitoring.screened_statuses"}
    assert data["counts"]["candidates"] == 1
    call_command("screen_risks", "--year", "2020", "--region", "610926")
    assert "H-CLI" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("screen_risks", "--year", "2020", "--region", "999999", "--json")
    assert json.loads(capsys.readouterr().out)["ok"] is False
