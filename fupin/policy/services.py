"""Changing policy values. Every change is audited."""

from django.db import transaction

from fupin.audit.services import Action, entry_for, record, snapshot

from .defaults import NATIONAL_DEFAULTS
from .models import PolicyValue


@transaction.atomic
def policy_set(*, actor, key: str, region_code: str, year_from: int, value, unit: str = "", source: str = "",
               year_to: int | None = None) -> PolicyValue:
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
    """Insert the national defaults that are missing (never overwrites an edited value)."""
    from fupin.regions.codes import NATION_CODE

    have = set(PolicyValue.objects.filter(region_code=NATION_CODE).values_list("key", "year_from"))
    created = 0
    for key, year_from, value, unit, source in NATIONAL_DEFAULTS:
        if (key, year_from) not in have:
            policy_set(actor=actor, key=key, region_code=NATION_CODE, year_from=year_from, value=value,
                       unit=unit, source=source)
            created += 1
    return created
