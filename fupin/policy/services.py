"""Changing policy values. Every change is audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.regions.codes import NATION_CODE

from .defaults import NATIONAL_DEFAULTS, RAISE_ONLY_KEYS, REGIONAL_DEFAULTS
from .models import PolicyValue
from .selectors import PolicyMissing, resolve


def _check_not_below_national(key: str, region_code: str, year_from: int, value) -> None:
    """A province may set a higher poverty line than the nation's, never a lower one."""
    if key not in RAISE_ONLY_KEYS or region_code == NATION_CODE:
        return
    try:
        national = resolve(key, year=year_from, region_code=NATION_CODE)
    except PolicyMissing:
        return
    if float(value) < float(national.value):
        raise ValidationError({"value": [f"{key} 的地方标准 {value} 低于 {year_from} 年国家标准 {national.value}，"
                                         "地方只能提高标准"]})


@transaction.atomic
def policy_set(*, actor, key: str, region_code: str, year_from: int, value, unit: str = "", source: str = "",
               year_to: int | None = None) -> PolicyValue:
    _check_not_below_national(key, region_code, year_from, value)
    existing = PolicyValue.objects.select_for_update().filter(key=key, region_code=region_code,
                                                              year_from=year_from).first()
    before = snapshot(existing) if existing else None
    obj, _ = PolicyValue.objects.update_or_create(
        key=key, region_code=region_code, year_from=year_from,
        defaults={"value": value, "unit": unit, "source": source, "year_to": year_to})
    after = snapshot(obj)
    if before != after:
        record(actor=actor, entry=entry_for(obj, action=Action.UPDATE if before else Action.CREATE,
                                            region_code=region_code, before=before, after=after))
    return obj


@transaction.atomic
def load_national_defaults(*, actor=None) -> int:
    """Insert the national (and western-region) defaults that are missing; never overwrites an
    edited value."""
    have = set(PolicyValue.objects.values_list("key", "region_code", "year_from"))
    rows = [(key, NATION_CODE, year_from, value, unit, source)
            for key, year_from, value, unit, source in NATIONAL_DEFAULTS] + list(REGIONAL_DEFAULTS)
    created = 0
    for key, region_code, year_from, value, unit, source in rows:
        if (key, region_code, year_from) not in have:
            policy_set(actor=actor, key=key, region_code=region_code, year_from=year_from, value=value,
                       unit=unit, source=source)
            created += 1
    return created
