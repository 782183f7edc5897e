import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from fupin.assessment.defaults import national_scheme
from fupin.assessment.models import AssessmentScheme, AssessmentTarget
from fupin.assessment.selectors import assess_regions
from fupin.assessment.services import scheme_set
from fupin.audit.models import AuditEvent

from .conftest import COUNTY

OWN = {"name": "平利县乡镇考核方案", "source": "县委文件",
       "indicators": [{"code": "helper_coverage", "weight": "60", "direction": "higher", "method": "pass_fail",
                       "target": "0.9"},
                      {"code": "visit_rate", "weight": "40", "direction": "higher", "method": "linear",
                       "target": "0.8", "floor": "0.4"}],
       "vetoes": [{"metric": "wrong_exit_rate", "op": "gt", "threshold": "0.05", "reason": "错退率超过 5%"}]}


@pytest.mark.django_db
def test_own_scheme_overrides_national(townships, users):
    scheme_set(actor=users["admin"], region_code=COUNTY, level="township", year_from=2020, data=OWN)
    doc = assess_regions(region_code=COUNTY, year=2020, level="township")
    res = {r["code"]: r for r in doc["results"]}
    # 城关镇: helpers 90 % ≥ 90 % → 60; visits 80 % ≥ target → 40. 兴隆镇: 60 + 40; 3 % ≤ 5 %: not vetoed.
    assert (res["610926100000"]["total"], res["610926101000"]["total"]) == ("100.00", "100.00")
    assert [r["rank"] for r in doc["results"]] == [1, 1]
    assert not res["610926101000"]["vetoed"]
    assert [s["name"] for s in doc["schemes"]] == ["平利县乡镇考核方案"]
    # 2019 still uses the national scheme; counties are untouched
    assert assess_regions(region_code=COUNTY, year=2019, level="township")["schemes"][0]["name"] == "全国默认乡镇考核方案"
    assert AuditEvent.objects.filter(object_type__icontains="assessmentscheme").count() == 1


@pytest.mark.django_db
def test_scheme_weights_must_sum_to_100_and_rights(users):
    bad = {**OWN, "indicators": [{**OWN["indicators"][0], "weight": "59"}, OWN["indicators"][1]]}
    with pytest.raises(ValidationError) as exc:
        scheme_set(actor=users["admin"], region_code=COUNTY, level="township", year_from=2020, data=bad)
    assert "分值合计为 99，应为 100" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        scheme_set(actor=users["county"], region_code=COUNTY, level="township", year_from=2020, data=OWN)
    with pytest.raises(PermissionDenied):  # out of the admin's scope
        scheme_set(actor=users["admin"], region_code="620000000000", level="county", year_from=2020, data=OWN)
    with pytest.raises(ValidationError):  # a county cannot set a scheme for counties
        scheme_set(actor=users["admin"], region_code=COUNTY, level="county", year_from=2020, data=OWN)
    assert AssessmentScheme.objects.count() == 2  # only the national defaults


@pytest.mark.django_db
def test_national_defaults_installed_and_sum_to_100(db):
    from decimal import Decimal

    for level in ("county", "township"):
        s = AssessmentScheme.objects.get(region_code="000000000000", level=level)
        assert sum(i.weight for i in s.indicators.all()) == Decimal("100")
        assert s.vetoes.count() == len(national_scheme(level)["vetoes"])


@pytest.mark.django_db
def test_set_scheme_cli(users, tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(OWN), encoding="utf-8")
    call_command("set_assessment_scheme", str(path), "--region", "610926", "--year", "2020", "--level", "township",
                 "--user", "admin", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["name"] == "平利县乡镇考核方案"


@pytest.mark.django_db
def test_import_targets_all_or_nothing(regions, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("区划代码,减贫任务（人）\n610926100000,25\n610926100001,3\n999999,4\n610926101000,-1\n",
                   encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("import_assessment_targets", str(bad), "--year", "2020", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and len(out["errors"]) == 3
    assert any(e.startswith("第 3 行") and "减贫任务应下达到县或乡镇" in e for e in out["errors"])
    assert any(e.startswith("第 5 行 减贫任务（人）") for e in out["errors"])
    assert not AssessmentTarget.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text("区划代码,减贫任务（人）\n610926100,25\n610926101000,7\n", encoding="utf-8")
    call_command("import_assessment_targets", str(good), "--year", "2020", "--json")
    assert dict(AssessmentTarget.objects.values_list("region_code", "reduction_task")) == {
        "610926100000": 25, "610926101000": 7}
    call_command("import_assessment_targets", str(good), "--year", "2020", "--json")  # idempotent
    assert AssessmentTarget.objects.count() == 2
