"""A region's own policy values: a province raising its line, type checks, scope and audit."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from fupin.accounts.roles import Role
from fupin.accounts.services import user_create
from fupin.api.tests.conftest import assert_error
from fupin.audit.models import AuditEvent
from fupin.conftest import PASSWORD
from fupin.core.clock import today
from fupin.policy.selectors import policy_overview, resolve
from fupin.policy.services import policy_override


@pytest.fixture
def province_admin(users):
    return user_create(actor=None, username="sx_admin", password=PASSWORD, role=Role.SYSADMIN,
                       region_code="610000000000", full_name="省管理员")


@pytest.mark.django_db
def test_defaults_hold_the_standards():
    assert resolve("poverty_line", year=2016).value == 2952
    assert resolve("poverty_line", year=2014).value == 2800
    assert resolve("region_exit.max_incidence", year=2018, region_code="610926100001").value == 0.03
    assert resolve("region_exit.max_incidence", year=2018, region_code="320000000000").value == 0.02


def test_a_province_raises_its_line(province_admin):
    row = policy_override(actor=province_admin, key="poverty_line", region_code="610000000000", year_from=2019,
                          raw_value="4000", source="陕西省省定标准（示例文号）")
    assert row.unit == "元/人·年"
    assert resolve("poverty_line", year=2019, region_code="610926100001").value == 4000
    assert resolve("poverty_line", year=2019, region_code="620000000000").value == 3747
    assert AuditEvent.objects.filter(object_type="policy.policyvalue", actor_name="sx_admin").count() == 1
    line = next(x for x in policy_overview(region_code="610926100001", year=2019) if x.key == "poverty_line")
    assert line.overridden_here and [r.region_code for r in line.rows][-1] == "610000000000"


def test_a_lower_line_wrong_type_or_no_source_is_refused(province_admin):
    with pytest.raises(ValidationError, match="只能提高"):
        policy_override(actor=province_admin, key="poverty_line", region_code="610000000000", year_from=2019,
                        raw_value="3000", source="x")
    with pytest.raises(ValidationError, match="数值"):
        policy_override(actor=province_admin, key="poverty_line", region_code="610000000000", year_from=2019,
                        raw_value='"很多"', source="x")
    with pytest.raises(ValidationError, match="依据"):
        policy_override(actor=province_admin, key="poverty_line", region_code="610000000000", year_from=2019,
                        raw_value="4000", source=" ")
    with pytest.raises(ValidationError, match="不存在"):
        policy_override(actor=province_admin, key="no.such", region_code="610000000000", year_from=2019,
                        raw_value="1", source="x")
    assert not AuditEvent.objects.filter(actor_name="sx_admin").exists()


def test_only_policy_keepers_in_scope_may_set(users, province_admin):
    with pytest.raises(PermissionDenied):
        policy_override(actor=users["county"], key="poverty_line", region_code="610926000000", year_from=2019,
                        raw_value="4000", source="x")
    with pytest.raises(PermissionDenied):
        policy_override(actor=province_admin, key="poverty_line", region_code="620000000000", year_from=2019,
                        raw_value="4000", source="x")


def test_web_page_shows_and_sets_values(client, login, users, province_admin):
    login(users["clerk_a"])
    page = client.get("/r/610926100001/policy/?year=2019")
    assert page.status_code == 200 and "3747" in page.content.decode() and "保存" not in page.content.decode()
    assert client.post("/r/610926100001/policy/?year=2019", {"key": "poverty_line"}).status_code == 403
    assert client.get("/r/620000000000/policy/").status_code == 404
    for raw in ("abc", "99999"):  # a bad year is reported and replaced by this year, not used or ignored silently
        bad_year = client.get(f"/r/610926100001/policy/?year={raw}")
        assert bad_year.context["year"] == today().year and f"年度“{raw}”无效" in bad_year.content.decode()
    login(province_admin)
    bad = client.post("/r/610000000000/policy/?year=2019", {"key": "poverty_line", "year_from": 2019,
                                                            "value": "2000", "source": "省文件"})
    assert bad.status_code == 200 and "只能提高" in bad.content.decode()
    ok = client.post("/r/610000000000/policy/?year=2019", {"key": "poverty_line", "year_from": 2019,
                                                           "value": "4100", "source": "省文件"})
    assert ok.status_code == 302
    assert "地方设定" in client.get(ok["Location"]).content.decode()
    assert resolve("poverty_line", year=2020, region_code="610926100001").value == 4100


def test_api_reads_and_sets(api, province_admin, users):
    from fupin.accounts.services import api_token_create

    rows = api("clerk_a").get("/api/v1/regions/610926100001/policy?year=2018").json()
    line = next(r for r in rows if r["key"] == "region_exit.max_incidence")
    assert line["effective"]["value"] == 0.03 and line["effective"]["region_code"] == "610000000000"
    assert_error(api("clerk_a").post("/api/v1/regions/610926100001/policy", {}, format="json"), 403)
    assert_error(api("clerk_a").get("/api/v1/regions/610926100001/policy?year=abc"), 400)
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=province_admin)[1]}")
    steps = resolve("workflow.exit.steps", year=2019).value
    steps[3] = {**steps[3], "days": 10}
    r = client.post("/api/v1/regions/610000000000/policy",
                    {"key": "workflow.exit.steps", "year_from": 2019, "value": steps, "source": "陕西省退出办法"},
                    format="json")
    assert r.status_code == 201, r.content
    assert resolve("workflow.exit.steps", year=2019, region_code="610926100001").value[3]["days"] == 10
    assert_error(client.post("/api/v1/regions/610000000000/policy",
                             {"key": "workflow.exit.steps", "year_from": 2019, "value": 5, "source": "x"},
                             format="json"), 400)


def test_cli_set_and_show(province_admin, capsys):
    call_command("set_policy", "monitoring_line", "7300", "--region", "610000", "--year", "2021",
                 "--source", "省定监测范围", "--user", "sx_admin", "--json")
    assert json.loads(capsys.readouterr().out)["value"] == 7300
    call_command("show_policy", "--region", "610926100001", "--year", "2021", "--json")
    shown = {v["key"]: v for v in json.loads(capsys.readouterr().out)["values"]}
    assert shown["monitoring_line"]["effective"]["value"] == 7300
    with pytest.raises(SystemExit):
        call_command("set_policy", "monitoring_line", "5000", "--region", "610000", "--year", "2021",
                     "--source", "x", "--user", "sx_admin", "--json")
    assert json.loads(capsys.readouterr().out)["ok"] is False
