"""Cleaning input for the registry, shared by forms, the API and imports.

`clean_values(Model, data)` converts raw values (typed, from JSON, or read from a spreadsheet) by
the model's own field definitions: a choice may be given as its code or its Chinese label
(“因病” or “illness”), a yes/no as 是/否, a date as 1980-01-01, 1980/1/1 or 19800101. Every
problem becomes a Chinese message naming the field; nothing is guessed or truncated.
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import ValidationError
from django.db import models

from .choices import Gender, IdType, PovertyCause, Relation
from .idnumbers import InvalidIdNumber
from .idnumbers import validate as validate_id
from .validators import validate_bank_account, validate_phone

TRUE_WORDS = {"是", "有", "true", "1", "y", "yes", "√", "已", "已参加", "参加"}
FALSE_WORDS = {"否", "无", "false", "0", "n", "no", "×", "未", "未参加", "不"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")


def label_of(field: models.Field) -> str:
    return str(field.verbose_name)


_CHOICE_MAPS: dict[models.Field, dict[str, str]] = {}


def _choice_map(field: models.Field) -> dict[str, str]:
    """Code or label → code; a code wins over a label spelled the same. Built once per field."""
    found = _CHOICE_MAPS.get(field)
    if found is None:
        found = {str(label): str(code) for code, label in field.choices}
        found.update({str(code): str(code) for code, _ in field.choices})
        _CHOICE_MAPS[field] = found
    return found


def _choice(field: models.Field, raw: str) -> str:
    code = _choice_map(field).get(raw)
    if code is not None:
        return code
    allowed = "、".join(str(label) for code, label in field.choices if code != "")
    raise ValidationError(f"{label_of(field)}“{raw}”不是有效选项（可选：{allowed}）")


def _boolean(field: models.Field, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError(f"{label_of(field)}“{raw}”应为“是”或“否”")


def _decimal(field: models.DecimalField, raw) -> Decimal:
    text = str(raw).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{label_of(field)}“{raw}”不是数字") from None
    if not value.is_finite():
        raise ValidationError(f"{label_of(field)}“{raw}”不是数字")
    if value < 0:
        raise ValidationError(f"{label_of(field)}不能为负数（{raw}）")
    quantum = Decimal(1).scaleb(-field.decimal_places)
    if value != value.quantize(quantum):
        raise ValidationError(f"{label_of(field)}“{raw}”最多保留 {field.decimal_places} 位小数")
    if value >= Decimal(10) ** (field.max_digits - field.decimal_places):
        raise ValidationError(f"{label_of(field)}“{raw}”超出范围")
    return value.quantize(quantum)


def _integer(field: models.Field, raw) -> int:
    text = str(raw).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not re.fullmatch(r"\d{1,9}", text):
        raise ValidationError(f"{label_of(field)}“{raw}”应为非负整数")
    return int(text)


def parse_date(raw, *, label: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 -- a calendar date, no time zone
        except ValueError:
            continue
    raise ValidationError(f"{label}“{raw}”不是有效日期（例：1980-01-31）")


def clean_value(field: models.Field, raw):
    """One raw value → the field's Python value. Empty → the field's empty value or an error."""
    clean = _CLEANERS.get(field)
    if clean is None:
        clean = _CLEANERS[field] = _cleaner(field)
    return clean(raw)


_CLEANERS: dict[models.Field, Callable] = {}


def _cleaner(field: models.Field) -> Callable:
    """The cleaning function of one field, decided once: an import cleans ~70 values per row."""
    label = label_of(field)

    def required():
        raise ValidationError(f"{label}不能为空")

    if isinstance(field, models.BooleanField):
        on_empty = field.get_default if field.has_default() else required
    elif field.null:
        def on_empty():
            return None
    elif field.blank:
        def on_empty():
            return ""
    else:
        on_empty = field.get_default if field.has_default() else required

    if isinstance(field, models.BooleanField):
        convert = partial(_boolean, field)
    elif isinstance(field, models.DecimalField):
        convert = partial(_decimal, field)
    elif isinstance(field, models.IntegerField):
        convert = partial(_integer, field)
    elif isinstance(field, models.DateField):
        convert = partial(parse_date, label=label)
    elif isinstance(field, models.CharField):
        def convert(raw, choices=bool(field.choices), max_length=field.max_length):
            text = str(raw).strip()
            if text.endswith(".0") and text[:-2].isdigit():  # a code or number read from a float cell
                text = text[:-2]
            if choices:
                return _choice(field, text)
            if len(text) > max_length:
                raise ValidationError(f"{label}不能超过 {max_length} 个字（现为 {len(text)} 个）")
            return text
    else:
        def convert(raw):
            return raw

    if isinstance(field, models.BooleanField | models.DecimalField | models.IntegerField | models.DateField) \
            or (isinstance(field, models.CharField) and field.choices):
        convert = _remembering(convert)  # free text rarely repeats; the rest does

    def clean(raw):
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            return on_empty()
        return convert(raw)

    return clean


MEMO_SIZE = 512  # distinct texts remembered per field (an import repeats 是/否, codes, amounts …)


def _remembering(convert: Callable) -> Callable:
    """`convert` (of a non-blank value) with the outcome for a text remembered — the value or the
    error's messages — so a file repeating the same cell text in many rows converts it once. The conversions remembered
    are pure functions of the text and give immutable values (str, bool, int, Decimal, date).
    Bounded: once MEMO_SIZE texts are known, others are converted every time."""
    memo: dict[str, tuple[bool, object]] = {}

    def remembered(raw):
        if type(raw) is not str:
            return convert(raw)
        found = memo.get(raw)
        if found is None:
            try:
                found = (True, convert(raw))
            except ValidationError as exc:
                found = (False, tuple(exc.messages))
            if len(memo) < MEMO_SIZE:
                memo[raw] = found
        if found[0]:
            return found[1]
        messages = found[1]
        raise ValidationError(messages[0] if len(messages) == 1 else list(messages))

    return remembered


def clean_values(model: type[models.Model], data: dict, *, fields: tuple[str, ...] | None = None) -> dict:
    """Clean every given field of `model`; collect all errors before raising."""
    cleaned, errors = clean_values_partial(model, data, fields=fields)
    if errors:
        raise ValidationError(errors)
    return cleaned


_FIELDS: dict[type, dict[str, models.Field]] = {}


def _fields_by_name(model: type[models.Model]) -> dict[str, models.Field]:
    found = _FIELDS.get(model)
    if found is None:
        found = _FIELDS[model] = {f.name: f for f in model._meta.concrete_fields}
    return found


def clean_values_partial(model: type[models.Model], data: dict, *,
                         fields: tuple[str, ...] | None = None) -> tuple[dict, dict[str, list[str]]]:
    """Like clean_values, but returns the fields that did clean together with the errors, so a
    caller can go on checking the good ones and report every problem at once."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    allowed = _fields_by_name(model)
    for name, raw in data.items():
        if fields is not None and name not in fields or name not in allowed:
            errors.setdefault(name, []).append(f"字段“{name}”不能在此填写")
            continue
        try:
            cleaned[name] = clean_value(allowed[name], raw)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    return cleaned, errors


HOUSEHOLD_INPUT = ("household_no", "village", "group_name", "address", "head_name", "phone", "bank_name",
                   "bank_account", "identification_standard", "attribute", "main_cause", "other_causes",
                   "registered_year")


def clean_household(data: dict, *, max_other_causes: int) -> dict:
    """Household fields. `village` is a 12-digit code (checked for existence by the service)."""
    from .models import Household

    plain = {k: v for k, v in data.items() if k not in ("village", "other_causes")}
    cleaned, errors = clean_values_partial(Household, plain, fields=HOUSEHOLD_INPUT)
    if "village" in data:
        code = str(data["village"] or "").strip()
        if not re.fullmatch(r"\d{12}", code):
            errors.setdefault("village", []).append(f"行政村代码“{code}”应为 12 位数字")
        cleaned["village_id"] = code
    if "other_causes" in data:
        raw = data["other_causes"] or []
        if isinstance(raw, str):
            raw = [p for p in re.split(r"[、,，;；\s]+", raw) if p]
        field = Household._meta.get_field("main_cause")
        causes = []
        for item in raw:
            try:
                causes.append(_choice(field, str(item).strip()))
            except ValidationError as exc:
                errors.setdefault("other_causes", []).append(exc.messages[0].replace("主要致贫原因", "其他致贫原因"))
        if len(causes) > max_other_causes:
            errors.setdefault("other_causes", []).append(f"其他致贫原因最多 {max_other_causes} 项")
        if len(set(causes)) != len(causes):
            errors.setdefault("other_causes", []).append("其他致贫原因有重复")
        main = cleaned.get("main_cause")
        if main and main in causes:
            errors.setdefault("other_causes", []).append(f"其他致贫原因不能与主要致贫原因（{PovertyCause(main).label}）相同")
        cleaned["other_causes"] = causes
    for name, check, label in (("phone", validate_phone, "户联系电话"), ("bank_account", validate_bank_account, None)):
        if cleaned.get(name):
            try:
                cleaned[name] = check(cleaned[name], label=label) if label else check(cleaned[name])
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


MEMBER_INPUT = ("name", "id_type", "id_number", "gender", "birth_date", "relation", "ethnicity", "phone",
                "disability_cert_no")


def clean_member(data: dict) -> dict:
    """Member fields. For a resident ID the number is validated (python-stdnum) and gender and
    birth date are derived from it; a typed value that contradicts the ID is an error."""
    from .models import Member

    raw_id = data.get("id_number")
    plain = {k: v for k, v in data.items() if k != "id_number"}
    cleaned, errors = clean_values_partial(Member, plain, fields=MEMBER_INPUT)
    id_type = cleaned.get("id_type") or IdType.RESIDENT_ID
    if raw_id is None or str(raw_id).strip() == "":
        errors.setdefault("id_number", []).append("证件号码不能为空")
    elif id_type == IdType.RESIDENT_ID:
        try:
            facts = validate_id(raw_id)
        except InvalidIdNumber as exc:
            errors.setdefault("id_number", []).append(str(exc))
        else:
            cleaned["id_number"] = facts.number
            typed_gender, typed_birth = cleaned.get("gender"), cleaned.get("birth_date")
            if typed_gender and typed_gender != facts.gender:
                errors.setdefault("gender", []).append(
                    f"性别“{Gender(typed_gender).label}”与证件号码不符（证件号码为{Gender(facts.gender).label}性）")
            if typed_birth and typed_birth != facts.birth_date:
                errors.setdefault("birth_date", []).append(
                    f"出生日期 {typed_birth} 与证件号码不符（证件号码为 {facts.birth_date}）")
            cleaned["gender"], cleaned["birth_date"] = facts.gender, facts.birth_date
    else:
        cleaned["id_number"] = str(raw_id).strip().upper()
        for name in ("gender", "birth_date"):
            if not cleaned.get(name):
                errors.setdefault(name, []).append(f"非身份证成员须填写{Member._meta.get_field(name).verbose_name}")
    if cleaned.get("phone"):
        try:
            cleaned["phone"] = validate_phone(cleaned["phone"])
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    if "relation" in cleaned and cleaned["relation"] not in Relation.values:
        errors.setdefault("relation", []).append("与户主关系无效")
    if errors:
        raise ValidationError(errors)
    return cleaned


HOUSEHOLD_YEAR_DERIVED = ("household_size", "net_income", "per_capita_income", "status")
MEMBER_YEAR_EXCLUDED = ("id", "member", "year", "updated_at")


def household_year_input_fields() -> tuple[str, ...]:
    from .models import HouseholdYear

    skip = {"id", "household", "year", "updated_at", *HOUSEHOLD_YEAR_DERIVED}
    return tuple(f.name for f in HouseholdYear._meta.concrete_fields if f.name not in skip)


def member_year_input_fields() -> tuple[str, ...]:
    from .models import MemberYear

    return tuple(f.name for f in MemberYear._meta.concrete_fields if f.name not in MEMBER_YEAR_EXCLUDED)


def clean_household_year(data: dict) -> dict:
    from .models import HouseholdYear

    cleaned = clean_values(HouseholdYear, data, fields=household_year_input_fields())
    if cleaned.get("policy_subsidy") is not None and cleaned.get("transfer_income") is not None \
            and cleaned["policy_subsidy"] > cleaned["transfer_income"]:
        raise ValidationError({"policy_subsidy": ["政策性补贴是转移性收入的一部分，不能大于转移性收入"]})
    return cleaned


def clean_member_year(data: dict) -> dict:
    from .models import MemberYear

    return clean_values(MemberYear, data, fields=member_year_input_fields())
