"""Who is who: ID numbers, duplicates across the registry, relations and gender.

R01/R02 look at the whole registry, not only the households checked: an ID number of a checked
member that is also on a member anywhere else is reported with the other household's region
code. The other household's number and the other member's name are named only when that
household is visible to the caller (`Context.visible`); otherwise they never leave the database.
"""

import json
from collections import defaultdict
from contextlib import suppress
from functools import cache

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, DenseRank, Substr

from ..choices import Gender, IdType, Relation
from ..idnumbers import InvalidIdNumber, normalize
from ..idnumbers import validate as validate_id
from ..models import Member
from .base import ERROR, rule, shown_id
from .rows import HOUSEHOLD_ALIASES, MEMBER_ALIASES, active_members, household_ids, households_of, label

MALE_RELATIONS = (Relation.SON, Relation.GRANDSON, Relation.FATHER, Relation.SON_IN_LAW)
FEMALE_RELATIONS = (Relation.DAUGHTER, Relation.GRANDDAUGHTER, Relation.MOTHER, Relation.DAUGHTER_IN_LAW)


# --- R01 / R02: the same ID number on more than one member --------------------------------------

def _duplicate_rows(ctx, households) -> dict[str, list[dict]]:
    """Every current member, anywhere, whose ID number is shared with a checked member.

    One query: the numbers held more than once (GROUP BY … HAVING, as a subquery), their holders,
    and a window ranking the holders' names, so "same name" is decided without reading a name
    outside the visible set.
    """
    checked = Q(household__in=household_ids(households))
    in_view = checked if ctx.visible is None else checked | Q(household__in=household_ids(ctx.visible))
    mine = active_members(households).exclude(id_number="").values("id_number")

    def shown(expr, output_field):
        return Case(When(in_view, then=expr), default=Value(None), output_field=output_field)

    shared = (Member.objects.filter(left_on__isnull=True, id_number__in=mine).order_by().values("id_number")
              .annotate(holders=Count("id")).filter(holders__gt=1).values("id_number"))
    rows = (Member.objects.filter(left_on__isnull=True, id_number__in=shared)
            .annotate(name_class=Window(DenseRank(), partition_by=[F("id_number")], order_by=[F("name").asc()]),
                      checked=Case(When(checked, then=Value(True)), default=Value(False), output_field=BooleanField()),
                      seen=Case(When(in_view, then=Value(True)), default=Value(False), output_field=BooleanField()))
            .values("id_number", "name_class", "checked", "seen",
                    v_code=F("household__village_id"),
                    h_id=shown(F("household_id"), IntegerField()),
                    h_no=shown(F("household__household_no"), CharField()),
                    h_head=shown(F("household__head_name"), CharField()),
                    m_id=shown(F("pk"), IntegerField()),
                    m_name=shown(F("name"), CharField()))
            .order_by("id_number", "v_code", "h_no"))
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["id_number"]].append(row)
    return groups


def _where(row: dict, me: dict, *, with_name: bool) -> str:
    if row["seen"] and row["h_id"] == me["h_id"]:
        return f"本户的{row['m_name']}" if with_name else "本户（重复登记）"
    if row["seen"]:
        who = f"的{row['m_name']}" if with_name else ""
        return f"户 {row['h_no']}{who}（区划 {row['v_code']}）"
    return f"区划 {row['v_code']} 的另一户"


def _other(row: dict) -> dict:
    return {"village_code": row["v_code"], "household_id": row["h_id"], "household_no": row["h_no"] or None,
            "member_id": row["m_id"]}


def _duplicates(rule_, ctx, households, *, same_name: bool):
    groups = ctx.once("duplicate_id_rows", lambda: _duplicate_rows(ctx, households))
    for number, group in groups.items():
        for me in group:
            if not me["checked"]:
                continue
            others = [o for o in group if o is not me and (o["name_class"] == me["name_class"]) == same_name]
            if not others:
                continue
            places = "；".join(_where(o, me, with_name=not same_name) for o in others)
            if same_name:
                message = f"{me['m_name']}（证件号码 {shown_id(number)}）同时登记在：{places}"
            else:
                message = (f"{me['m_name']}的证件号码 {shown_id(number)} 还登记在姓名不同的成员上：{places}；"
                           "至少有一个证件号码有误")
            yield rule_.finding(ctx, me, message, values={"id_number": number, "duplicates": [_other(o) for o in others]})


@rule("R01", ERROR, "证件号码重复（姓名不同）", fields=("证件号码", "姓名"),
      description="本成员的证件号码在全库（含管辖范围以外）还登记在另一名姓名不同的在册成员上。"
                  "范围以外的户只报告其区划代码。")
def check_id_conflict(rule_, ctx, households):
    return _duplicates(rule_, ctx, households, same_name=False)


@rule("R02", ERROR, "同一人重复登记", fields=("证件号码", "姓名"),
      description="证件号码和姓名都相同的在册成员在全库出现不止一次：同一人登记在两户（或在本户登记两次）。"
                  "范围以外的户只报告其区划代码。")
def check_same_person(rule_, ctx, households):
    return _duplicates(rule_, ctx, households, same_name=True)


# --- R03: resident ID number invalid or contradicting gender / birth date ----------------------

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643, ISO 7064 MOD 11-2
CHECK_CHARS = "10X98765432"
WELL_FORMED = Q(id_number__regex=r"^[0-9]{17}[0-9X]$")
EVEN = ("0", "2", "4", "6", "8")  # 17th digit: odd = male, even = female


@cache
def known_region_codes() -> tuple[str, ...]:
    """Every 6-digit region code python-stdnum knows, at any time (as idnumbers._region_known)."""
    from stdnum import numdb

    return tuple(sorted(p[1] + c[1] for p in numdb.get("cn/loc").prefixes for c in p[4]))


class DateDigits(Func):
    """A date as YYYYMMDD text, as it appears in an ID number (no per-row Python on SQLite)."""

    arity = 1
    output_field = CharField()
    template = "TO_CHAR(%(expressions)s, 'YYYYMMDD')"  # PostgreSQL

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores dates on SQLite as ISO text, YYYY-MM-DD.
        return self.as_sql(compiler, connection, template="REPLACE(%(expressions)s, '-', '')", **extra)


class NotAmong(Func):
    """`expression` is not one of `values`, sent as ONE parameter: a PostgreSQL array, a JSON
    list on SQLite (json_each). An IN list of the ~6,900 region codes costs ~50 ms per query to
    compile and parse; this costs a few."""

    arity = 1
    output_field = BooleanField()

    def __init__(self, expression, values, **extra):
        super().__init__(expression, **extra)
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra):  # any other database: a plain NOT IN
        sql, params = compiler.compile(self.source_expressions[0])
        return f"NOT ({sql}) IN ({', '.join(['%s'] * len(self.values))})", (*params, *self.values)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"NOT (({sql}) = ANY(%s))", (*params, self.values)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql}) NOT IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.values))


def _digit(position: int):
    return Cast(Substr("id_number", position, 1), IntegerField())


def _suspect_id() -> Case:
    """True when the number may be invalid or contradict gender or birth date (a superset of what
    idnumbers.validate rejects). One CASE whose branches run in order, so the digits are only
    read once the pattern matched (PostgreSQL would fail casting a non-digit) and the pattern is
    tested once per row. The aliases it reads are defined in `check_id_number`."""
    return Case(
        When(~WELL_FORMED, then=Value(True)),
        When(NotAmong(F("id_region"), known_region_codes()), then=Value(True)),
        When(~Q(id_check=Substr("id_number", 18, 1)), then=Value(True)),
        When(~Q(id_born=F("born")), then=Value(True)),
        When(Q(gender=Gender.MALE, id_sex__in=EVEN) | Q(gender=Gender.FEMALE) & ~Q(id_sex__in=EVEN), then=Value(True)),
        default=Value(False), output_field=BooleanField())


def _id_problems(row: dict) -> str:
    """The exact reason, by the same validator as input (idnumbers.validate); "" if none."""
    raw = row["id_number"]
    try:
        facts = validate_id(raw)
    except InvalidIdNumber as exc:
        text = str(exc)
        forms = {raw}
        with suppress(InvalidIdNumber):
            forms.add(normalize(raw))
        for form in sorted(forms, key=len, reverse=True):
            if form:
                text = text.replace(form, shown_id(form))
        return text
    problems = []
    if facts.number != raw:
        problems.append(f"应写作规范的 18 位号码 {shown_id(facts.number)}")
    if facts.gender != row["gender"]:
        problems.append(f"性别“{label(Gender, row['gender'])}”与证件号码不符（证件号码为{label(Gender, facts.gender)}性）")
    if facts.birth_date != row["birth_date"]:
        problems.append(f"出生日期 {row['birth_date']} 与证件号码不符（证件号码为 {facts.birth_date}）")
    return "；".join(problems)


@rule("R03", ERROR, "证件号码无效或与性别、出生日期不符", fields=("证件号码", "性别", "出生日期"),
      description="证件类型为居民身份证的在册成员：号码不是 18 位、地区码不存在、出生日期无效、校验位错误"
                  "（GB 11643），或号码中的性别（第 17 位奇数为男）、出生日期与登记的不一致。")
def check_id_number(rule_, ctx, households):
    checksum = sum((_digit(i + 1) * w for i, w in enumerate(WEIGHTS)), start=Value(0))
    position = ExpressionWrapper(checksum % Value(11) + Value(1), output_field=IntegerField())
    rows = (active_members(households).filter(id_type=IdType.RESIDENT_ID)
            .alias(id_region=Substr("id_number", 1, 6),
                   id_check=Substr(Value(CHECK_CHARS), position, Value(1)),
                   id_born=Substr("id_number", 7, 8), born=DateDigits("birth_date"),
                   id_sex=Substr("id_number", 17, 1))
            .alias(suspect=_suspect_id()).filter(suspect=True)
            .values("id_number", "gender", "birth_date", **MEMBER_ALIASES))
    for row in rows:
        problems = _id_problems(row)
        if problems:
            yield rule_.finding(ctx, row, f"{row['m_name']}的证件号码 {shown_id(row['id_number'])}：{problems}",
                                values={"id_number": row["id_number"], "gender": row["gender"],
                                        "birth_date": row["birth_date"]})


# --- R04, R05, R20: relations ------------------------------------------------------------------

@rule("R04", ERROR, "户主与配偶性别相同", fields=("与户主关系", "性别"),
      description="在册成员中与户主关系为“配偶”者与户主性别相同。")
def check_spouse_gender(rule_, ctx, households):
    same_sex_head = Member.objects.filter(household_id=OuterRef("household_id"), left_on__isnull=True,
                                          relation=Relation.HEAD, gender=OuterRef("gender"))
    rows = (active_members(households).filter(relation=Relation.SPOUSE).filter(Exists(same_sex_head))
            .annotate(head_name=Subquery(same_sex_head.order_by("pk").values("name")[:1]))
            .values("gender", "head_name", **MEMBER_ALIASES))
    for row in rows:
        gender = label(Gender, row["gender"])
        yield rule_.finding(ctx, row, f"户主{row['head_name']}与配偶{row['m_name']}性别均为“{gender}”",
                            values={"gender": row["gender"], "relation": Relation.SPOUSE.value})


@rule("R05", ERROR, "与户主关系与性别不符", fields=("与户主关系", "性别"),
      description="之子、之孙子、之父、之女婿为女性，或之女、之孙女、之母、之儿媳为男性。")
def check_relation_gender(rule_, ctx, households):
    rows = (active_members(households)
            .filter(Q(relation__in=MALE_RELATIONS, gender=Gender.FEMALE)
                    | Q(relation__in=FEMALE_RELATIONS, gender=Gender.MALE))
            .values("relation", "gender", **MEMBER_ALIASES))
    for row in rows:
        yield rule_.finding(ctx, row, f"{row['m_name']}与户主关系为“{label(Relation, row['relation'])}”，"
                                      f"性别却为“{label(Gender, row['gender'])}”",
                            values={"relation": row["relation"], "gender": row["gender"]})


@rule("R20", ERROR, "户主缺失或多于一人", fields=("与户主关系",),
      description="有在册成员的户中，与户主关系为“户主”的在册成员不是恰好一人。")
def check_one_head(rule_, ctx, households):
    current = Q(members__left_on__isnull=True)
    rows = (households_of(households)
            .annotate(n_members=Count("members", filter=current),
                      n_heads=Count("members", filter=current & Q(members__relation=Relation.HEAD)))
            .filter(n_members__gt=0).exclude(n_heads=1)
            .values("n_members", "n_heads", **HOUSEHOLD_ALIASES))
    for row in rows:
        what = "没有户主" if row["n_heads"] == 0 else f"有 {row['n_heads']} 名户主"
        yield rule_.finding(ctx, row, f"{row['n_members']} 名在册成员中{what}（应恰好一名）", member=False,
                            values={"heads": row["n_heads"], "members": row["n_members"]})
