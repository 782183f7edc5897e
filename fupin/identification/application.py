"""Cleaning an identification application (农户申请): the applicant household, its members and income.

Everything is checked by the registry's own rules (registry.validation, registry.idnumbers,
registry.income), so what passes here can be filed by 建档立卡 without surprises: the head's
ID number (GB 11643), causes (code or Chinese label, at most `registry.max_other_causes` others),
phone, each member (ID number, gender and birth date derived from it, relation) and optional
yearly member data (health, labour capacity, schooling …). Net and per-capita income are derived
from the components and the number of members, never typed.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from fupin.accounts.masking import mask_id_number
from fupin.policy.selectors import resolve
from fupin.registry.choices import Relation
from fupin.registry.idnumbers import InvalidIdNumber
from fupin.registry.idnumbers import validate as validate_id
from fupin.registry.income import derive
from fupin.registry.validation import (
    MEMBER_INPUT,
    clean_household,
    clean_member,
    clean_member_year,
    clean_values,
    member_year_input_fields,
)

INCOME_FIELDS = ("wage_income", "business_income", "business_cost", "property_income", "transfer_income")
HOUSEHOLD_FIELDS = ("head_name", "group_name", "address", "phone", "main_cause", "other_causes", "attribute")
APPLICATION_FIELDS = ("id_number", "note", "members", *HOUSEHOLD_FIELDS, *INCOME_FIELDS)
NOTE_MAX = 1000


def _json_safe(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _clean_members(raw, *, head_name: str | None, head_id: str | None) -> tuple[list[dict], dict[str, list[str]]]:
    """Members as JSON-safe dicts (member fields and yearly fields side by side). The head is added
    from the applicant fields when the list has no 户主; if it has one, it must be the applicant."""
    errors: dict[str, list[str]] = {}
    if raw is None or raw == "":
        raw = []
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        return [], {"members": ["家庭成员应为成员列表"]}
    year_fields = set(member_year_input_fields())
    rows = list(raw)
    if head_name and head_id and not any(str(m.get("relation", "")).strip() in (Relation.HEAD, Relation.HEAD.label)
                                         for m in rows):
        rows.insert(0, {"name": head_name, "id_number": head_id, "relation": Relation.HEAD})
    members: list[dict] = []
    for i, row in enumerate(rows, 1):
        label = f"第 {i} 位成员"
        unknown = sorted(k for k in row if k not in MEMBER_INPUT and k not in year_fields)
        if unknown:
            errors.setdefault("members", []).append(f"{label}：字段“{'、'.join(unknown)}”不能在此填写")
            continue
        try:
            member = clean_member({k: v for k, v in row.items() if k in MEMBER_INPUT})
            yearly = clean_member_year({k: v for k, v in row.items() if k in year_fields})
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                errors.setdefault("members", []).extend(f"{label}（{row.get('name') or '未填姓名'}）：{m}" for m in msgs)
            continue
        members.append({k: _json_safe(v) for k, v in {**member, **yearly}.items()})
    if errors:
        return members, errors
    heads = [m for m in members if m["relation"] == Relation.HEAD]
    if len(heads) != 1:
        errors.setdefault("members", []).append(f"家庭成员中应有且只有一位户主（现有 {len(heads)} 位）")
    elif head_id and (heads[0]["id_number"] != head_id or heads[0]["name"] != head_name):
        errors.setdefault("members", []).append("成员中的户主与申请人（户主姓名、证件号码）不一致")
    numbers = [m["id_number"] for m in members]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        errors.setdefault("members", []).append(
            f"成员证件号码重复：{'、'.join(mask_id_number(n) for n in repeated)}")
    return members, errors


def clean_application(data: dict, *, year: int) -> dict:
    """The application as Case field values (with `members`, `household_size`, `net_income`,
    `per_capita_income`). Raises one ValidationError with every problem, per field, in Chinese."""
    if not isinstance(data, dict):
        raise ValidationError({"data": ["申请数据应为对象"]})
    errors: dict[str, list[str]] = {}
    for name in data:
        if name not in APPLICATION_FIELDS:
            errors.setdefault(name, []).append(f"字段“{name}”不能在此填写")
    cleaned: dict = {}
    max_other = resolve("registry.max_other_causes", year=year).value
    household_part = {k: data.get(k) for k in HOUSEHOLD_FIELDS if k in data}
    for required in ("head_name", "main_cause"):
        household_part.setdefault(required, "")
    try:
        cleaned.update(clean_household(household_part, max_other_causes=max_other))
    except ValidationError as exc:
        for k, msgs in exc.message_dict.items():
            errors.setdefault(k, []).extend(msgs)
    raw_id = data.get("id_number")
    if raw_id is None or str(raw_id).strip() == "":
        errors.setdefault("id_number", []).append("户主证件号码不能为空")
    else:
        try:
            cleaned["id_number"] = validate_id(raw_id).number
        except InvalidIdNumber as exc:
            errors.setdefault("id_number", []).append(str(exc))
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(f"申请理由不能超过 {NOTE_MAX} 个字")
    cleaned["note"] = note
    from .models import Case

    try:
        incomes = clean_values(Case, {k: data[k] for k in INCOME_FIELDS if k in data}, fields=INCOME_FIELDS)
    except ValidationError as exc:
        incomes = {}
        for k, msgs in exc.message_dict.items():
            errors.setdefault(k, []).extend(msgs)
    for name in INCOME_FIELDS:
        incomes.setdefault(name, Decimal("0.00"))
    members, member_errors = _clean_members(data.get("members"), head_name=cleaned.get("head_name"),
                                            head_id=cleaned.get("id_number"))
    for k, msgs in member_errors.items():
        errors.setdefault(k, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    net, per_capita = derive(incomes, len(members))
    return {**cleaned, **incomes, "members": members, "household_size": len(members), "net_income": net,
            "per_capita_income": per_capita}
