"""Changing policy values. Every change is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.regions.codes import NATION_CODE

from .defaults import NATIONAL_DEFAULTS, RAISE_ONLY_KEYS, REGIONAL_DEFAULTS
from .models import PolicyValue
from .selectors import PolicyMissing, resolve
from .validation import check_value


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
    check_value(key, value)
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


def parse_policy_value(raw: str, *, like):
    """A value typed on the web or the command line, as JSON, of the same shape as `like` (the
    national value of the key), so a province cannot turn a number into text by mistake."""
    import json

    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        raise ValidationError({"value": [f"取值“{str(raw)[:50]}”不是有效的数值或 JSON"]}) from None
    numeric = (int, float)
    if isinstance(like, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(like, bool)
    elif isinstance(like, numeric):
        ok = isinstance(value, numeric)
    else:
        ok = isinstance(value, type(like))
    if not ok:
        kinds = {bool: "是/否（true/false）", int: "数值", float: "数值", list: "列表（JSON 数组）",
                 dict: "对象（JSON）", str: "文本"}
        raise ValidationError({"value": [f"取值类型应为{kinds.get(type(like), '与国家默认值相同的类型')}"]})
    return value


@transaction.atomic
def policy_override(*, actor, key: str, region_code: str, year_from: int, raw_value: str,
                    year_to: int | None = None, source: str = "") -> PolicyValue:
    """A region's own value for a policy key (a province raising its poverty line, changing the
    notice days of its procedures …), set by a user who keeps the policy table of that region."""
    from fupin.accounts.roles import Cap
    from fupin.accounts.scope import code_in_scope, require

    require(actor, Cap.MANAGE_POLICY)
    if not code_in_scope(actor, region_code):
        raise PermissionDenied("该区划不在您的管辖范围内")
    national = (PolicyValue.objects.filter(key=key, region_code=NATION_CODE, year_from__lte=year_from)
                .order_by("-year_from").first()
                or PolicyValue.objects.filter(key=key, region_code=NATION_CODE).order_by("year_from").first())
    if national is None:
        raise ValidationError({"key": [f"政策参数“{key}”不存在"]})
    if year_to is not None and year_to < year_from:
        raise ValidationError({"year_to": ["截止年度不能早于起始年度"]})
    if not source.strip():
        raise ValidationError({"source": ["请填写依据（文件名称、文号）"]})
    value = parse_policy_value(raw_value, like=national.value)
    return policy_set(actor=actor, key=key, region_code=region_code, year_from=year_from, value=value,
                      unit=national.unit, source=source.strip(), year_to=year_to)


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
