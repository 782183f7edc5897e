import pytest

from fupin.audit.models import AuditEvent
from fupin.policy.selectors import PolicyMissing, resolve, resolve_many
from fupin.policy.services import policy_set
from fupin.regions.codes import ancestor_codes


def test_ancestor_codes():
    assert ancestor_codes("610926100001") == ["000000000000", "610000000000", "610900000000", "610926000000",
                                              "610926100000", "610926100001"]
    assert ancestor_codes("429004000000") == ["000000000000", "420000000000", "429000000000", "429004000000"]


@pytest.mark.django_db
def test_national_defaults_are_installed():
    r = resolve("quality.labour_min_age", year=2020, region_code="610926100001")
    assert r.value == 16 and r.region_code == "000000000000" and r.source


@pytest.mark.django_db
def test_most_specific_region_then_latest_year_wins():
    policy_set(actor=None, key="t.line", region_code="000000000000", year_from=2014, value=2800)
    policy_set(actor=None, key="t.line", region_code="000000000000", year_from=2016, value=2952)
    policy_set(actor=None, key="t.line", region_code="610000000000", year_from=2016, value=3015)
    assert resolve("t.line", year=2015, region_code="610926100001").value == 2800
    assert resolve("t.line", year=2016, region_code="620000000000").value == 2952
    shaanxi = resolve("t.line", year=2017, region_code="610926100001")
    assert shaanxi.value == 3015 and shaanxi.region_code == "610000000000"
    assert resolve("t.line", year=2015, region_code="610926100001").region_code == "000000000000"
    assert AuditEvent.objects.filter(object_type="policy.policyvalue").count() == 3


@pytest.mark.django_db
def test_year_to_ends_a_value_and_missing_keys_are_named():
    policy_set(actor=None, key="t.old", region_code="000000000000", year_from=2014, year_to=2015, value=1)
    assert resolve("t.old", year=2015).value == 1
    with pytest.raises(PolicyMissing, match="t.old"):
        resolve("t.old", year=2016)
    with pytest.raises(PolicyMissing, match="t.none"):
        resolve_many(["quality.adult_age", "t.none"], year=2020)
