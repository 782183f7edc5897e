"""A household against its members, its income and its contacts (户级校验).

The cause and attribute rules (R09–R12) are one GROUP BY each over the year's rows of current
members, so they judge households that have yearly member data for the year checked; a member
without it is reported by R21 (a household whose year was never filled in, not at all).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.functions import Abs, Cast, Replace, Trim

from ..choices import STUDENT_STATUSES, Health, HouseholdAttribute, HouseholdStatus, PovertyCause
from ..income import derive, per_capita
from ..validators import LANDLINE_RE, MOBILE_RE, validate_phone
from .base import ERROR, WARNING, rule, shown_phone
from .rows import (
    HOUSEHOLD_ALIASES,
    HOUSEHOLD_YEAR_ALIASES,
    MEMBER_ALIASES,
    MEMBER_YEAR_HOUSEHOLD_ALIASES,
    active_member_years,
    active_members,
    household_years,
    households_of,
    label,
)

ILL = (Health.CHRONIC, Health.SERIOUS)
INCOME_COMPONENTS = ("wage_income", "business_income", "business_cost", "property_income", "transfer_income")
# The validators' two patterns as one regular expression both SQLite (Python re) and PostgreSQL read.
PHONE_PATTERN = "^(" + MOBILE_RE.pattern.strip("^$") + "|" + LANDLINE_RE.pattern.strip("^$") + ")$"
# SQL only preselects, in floating point and a little wider than the rule; Python then decides
# exactly in Decimal (a wrong cent is off by ≥ 0.01, a rounded per-capita value by ≤ 0.005).
CENT_SLACK = 0.0049
ROUNDING_SLACK = 0.006


def has_cause(cause: str, path: str = "") -> Q:
    """主要致贫原因 or one of the 其他致贫原因 (a JSON list of codes; codes never contain each other)."""
    return Q(**{f"{path}main_cause": cause}) | Q(**{f"{path}other_causes__icontains": f'"{cause}"'})


def _households_by_year_members(ctx, households, *, where: Q, **counts):
    """One GROUP BY over the year's rows of current members: per household, how many rows there
    are (n_year) and how many match each of `counts` (conditions on MemberYear)."""
    return (active_member_years(households, ctx.year).filter(where)
            .values(**MEMBER_YEAR_HOUSEHOLD_ALIASES, main_cause=F("member__household__main_cause"),
                    other_causes=F("member__household__other_causes"),
                    attribute=F("member__household__attribute"))
            .annotate(n_year=Count("id"), **{name: Count("id", filter=cond) for name, cond in counts.items()})
            .order_by())


def _causes(row) -> str:
    causes = [row["main_cause"], *(row["other_causes"] or [])]
    return "、".join(label(PovertyCause, c) for c in causes)


def _cause_rule(rule_, ctx, households, *, cause: str, evidence: Q, what: str):
    rows = _households_by_year_members(ctx, households, where=has_cause(cause, "member__household__"),
                                       n_hit=evidence).filter(n_hit=0)
    for row in rows:
        yield rule_.finding(
            ctx, row, f"致贫原因为“{_causes(row)}”，含“{label(PovertyCause, cause)}”，但 {ctx.year} 年度 "
                      f"{row['n_year']} 名在册成员中{what}", member=False,
            values={"main_cause": row["main_cause"], "other_causes": row["other_causes"] or [],
                    "members_with_year_data": row["n_year"]})


@rule("R09", WARNING, "因病致贫但无患病成员", fields=("致贫原因", "健康状况"),
      description="主要或其他致贫原因含“因病”，而所查年度所有在册成员的健康状况都不是“长期慢性病”或“患有大病”。")
def check_illness_cause(rule_, ctx, households):
    return _cause_rule(rule_, ctx, households, cause=PovertyCause.ILLNESS, evidence=Q(health__in=ILL),
                       what="没有健康状况为“长期慢性病”或“患有大病”的")


@rule("R10", WARNING, "因学致贫但无在校生", fields=("致贫原因", "在校生状况"),
      description="主要或其他致贫原因含“因学”，而所查年度没有在校生状况为在校（学前教育至本科及以上）的在册成员。")
def check_schooling_cause(rule_, ctx, households):
    return _cause_rule(rule_, ctx, households, cause=PovertyCause.SCHOOLING,
                       evidence=Q(school_status__in=STUDENT_STATUSES), what="没有在校生")


@rule("R11", WARNING, "因残致贫但无残疾成员", fields=("致贫原因", "健康状况", "残疾等级", "残疾人证号"),
      description="主要或其他致贫原因含“因残”，而所查年度没有健康状况为“残疾”、填有残疾等级或残疾人证号的在册成员。")
def check_disability_cause(rule_, ctx, households):
    evidence = Q(health=Health.DISABLED) | ~Q(disability_grade="") | ~Q(member__disability_cert_no="")
    return _cause_rule(rule_, ctx, households, cause=PovertyCause.DISABILITY, evidence=evidence, what="没有残疾人")


SUPPORT = {HouseholdAttribute.LOW_INCOME: ("n_low", "享受低保"), HouseholdAttribute.DESTITUTE: ("n_destitute", "特困供养")}


@rule("R12", ERROR, "低保户或特困供养户无享受相应政策的成员", fields=("贫困户属性", "享受低保", "特困供养"),
      description="贫困户属性为“低保贫困户”而所查年度没有享受低保的在册成员，"
                  "或为“特困供养贫困户”而没有特困供养的在册成员。")
def check_attribute_support(rule_, ctx, households):
    rows = (_households_by_year_members(ctx, households, where=Q(member__household__attribute__in=list(SUPPORT)),
                                        n_low=Q(on_low_income_support=True), n_destitute=Q(on_destitute_support=True))
            .filter(Q(attribute=HouseholdAttribute.LOW_INCOME, n_low=0)
                    | Q(attribute=HouseholdAttribute.DESTITUTE, n_destitute=0)))
    for row in rows:
        policy = SUPPORT[row["attribute"]][1]
        yield rule_.finding(ctx, row, f"贫困户属性为“{label(HouseholdAttribute, row['attribute'])}”，但 {ctx.year} 年度 "
                                      f"{row['n_year']} 名在册成员中没有{policy}的", member=False,
                            values={"attribute": row["attribute"], "members_with_year_data": row["n_year"]})


def _float(name: str):
    return Cast(name, FloatField())


@rule("R15", ERROR, "收入分项与合计不符", fields=("各项收入", "家庭纯收入", "年人均纯收入", "申报人均纯收入"),
      policy=("quality.income_tolerance",),
      description="所查年度：家庭纯收入 ≠ 工资性 + 生产经营性 − 生产经营费用 + 财产性 + 转移性；或年人均纯收入 ≠ "
                  "家庭纯收入 ÷ 家庭人口数（四舍五入到分）；或导入时申报的人均纯收入与按分项算出的相差超过 "
                  "quality.income_tolerance 元。")
def check_income_sums(rule_, ctx, households):
    tolerance = Decimal(str(ctx.value("quality.income_tolerance")))
    size = Cast("household_size", FloatField())
    components = (_float("wage_income") + _float("business_income") - _float("business_cost")
                  + _float("property_income") + _float("transfer_income"))
    rows = (household_years(households, ctx.year)
            .annotate(gap_net=Abs(_float("net_income") - components),
                      gap_pc=Abs(_float("per_capita_income") * size - _float("net_income")),
                      gap_declared=Abs(_float("declared_per_capita_income") * size - components))
            .filter(Q(gap_net__gt=CENT_SLACK)
                    | Q(household_size__gt=0, gap_pc__gt=Value(CENT_SLACK) * size)
                    | Q(household_size__gt=0, declared_per_capita_income__isnull=False,
                        gap_declared__gt=Value(float(tolerance) - ROUNDING_SLACK) * size)
                    | Q(household_size=0, declared_per_capita_income__isnull=False)
                    | Q(household_size=0, per_capita_income__gt=0) | Q(household_size=0, per_capita_income__lt=0))
            .values(*INCOME_COMPONENTS, "household_size", "net_income", "per_capita_income",
                    "declared_per_capita_income", **HOUSEHOLD_YEAR_ALIASES))
    for row in rows:
        net, pc = derive({k: row[k] for k in INCOME_COMPONENTS}, row["household_size"])
        problems = []
        if row["net_income"] != net:
            problems.append(f"家庭纯收入 {row['net_income']} 元 ≠ 工资性 {row['wage_income']} + 生产经营性 "
                            f"{row['business_income']} − 生产经营费用 {row['business_cost']} + 财产性 "
                            f"{row['property_income']} + 转移性 {row['transfer_income']} = {net} 元")
        stored_pc = per_capita(row["net_income"], row["household_size"])
        if row["per_capita_income"] != stored_pc:
            problems.append(f"年人均纯收入 {row['per_capita_income']} 元 ≠ 家庭纯收入 {row['net_income']} ÷ 家庭人口数 "
                            f"{row['household_size']} = {stored_pc} 元")
        declared = row["declared_per_capita_income"]
        if declared is not None and abs(declared - pc) > tolerance:
            problems.append(f"申报人均纯收入 {declared} 元与按各项收入算出的 {pc} 元相差 {abs(declared - pc)} 元，"
                            f"超过允许误差 {tolerance} 元")
        if problems:
            yield rule_.finding(ctx, row, f"{ctx.year} 年度：" + "；".join(problems), member=False,
                                values={**{k: row[k] for k in INCOME_COMPONENTS}, "household_size": row["household_size"],
                                        "net_income": row["net_income"], "per_capita_income": row["per_capita_income"],
                                        "declared_per_capita_income": declared, "derived_net_income": net,
                                        "derived_per_capita_income": pc})


@rule("R16", ERROR, "年人均纯收入超出合理范围", fields=("年人均纯收入",),
      policy=("quality.per_capita_income_min", "quality.per_capita_income_max"),
      description="所查年度的年人均纯收入 ≤ quality.per_capita_income_min 或 > quality.per_capita_income_max。")
def check_income_range(rule_, ctx, households):
    low, high = ctx.value("quality.per_capita_income_min"), ctx.value("quality.per_capita_income_max")
    rows = (household_years(households, ctx.year)
            .filter(Q(per_capita_income__lte=low) | Q(per_capita_income__gt=high))
            .values("per_capita_income", **HOUSEHOLD_YEAR_ALIASES))
    for row in rows:
        pc = row["per_capita_income"]
        bound = f"不高于下限 {low} 元" if pc <= low else f"高于上限 {high} 元"
        yield rule_.finding(ctx, row, f"{ctx.year} 年度年人均纯收入 {pc} 元，{bound}", member=False,
                            values={"per_capita_income": pc})


def _bad_phones(qs):
    """Rows whose phone the SQL pattern rejects; the validator itself then has the last word."""
    return (qs.exclude(phone="").annotate(phone_text=Replace(Trim("phone"), Value(" "), Value("")))
            .exclude(phone_text__regex=PHONE_PATTERN))


def _phone_invalid(value: str) -> bool:
    try:
        validate_phone(value)
    except ValidationError:
        return True
    return False


def _phone_message(owner: str, value: str) -> str:
    digits = len(value.strip().replace(" ", ""))
    return f"{owner}“{shown_phone(value)}”（{digits} 位）无效：应为 11 位手机号或带区号的固定电话"


@rule("R17", WARNING, "户联系电话无效", fields=("户联系电话",),
      description="户联系电话不为空，且不是 11 位手机号（1[3-9] 开头）或带区号的固定电话（validators.validate_phone）。")
def check_household_phone(rule_, ctx, households):
    for row in _bad_phones(households_of(households)).values("phone", **HOUSEHOLD_ALIASES):
        if _phone_invalid(row["phone"]):
            yield rule_.finding(ctx, row, _phone_message("户联系电话", row["phone"]), member=False,
                                values={"phone": row["phone"]})


@rule("R18", WARNING, "成员联系电话无效", fields=("联系电话",),
      description="在册成员的联系电话不为空，且不是 11 位手机号或带区号的固定电话（validators.validate_phone）。")
def check_member_phone(rule_, ctx, households):
    for row in _bad_phones(active_members(households)).values("phone", **MEMBER_ALIASES):
        if _phone_invalid(row["phone"]):
            yield rule_.finding(ctx, row, _phone_message(f"{row['m_name']}的联系电话", row["phone"]),
                                values={"phone": row["phone"]})


@rule("R19", WARNING, "未落实帮扶责任人", fields=("帮扶责任人",),
      description="户（已销户的除外）没有帮扶责任人（“不落一户”）。")
def check_helper(rule_, ctx, households):
    rows = (households_of(households).filter(helper__isnull=True).exclude(status__in=(HouseholdStatus.CANCELLED, HouseholdStatus.REMOVED))
            .values("status", **HOUSEHOLD_ALIASES))
    for row in rows:
        yield rule_.finding(ctx, row, f"户状态为“{label(HouseholdStatus, row['status'])}”，尚未确定帮扶责任人",
                            member=False, values={"helper": None})

