"""The cross-check rules (比对规则): one set-based query per rule, matching roster rows and registry
members by equality on the normalised ID number (the RosterRow index on id_number + roster).

Every rule compares one roster with the *present* members (not marked left, or left after the
roster's `as_of`) of households whose current status is in `crosscheck.checked_statuses`, under the
roster's region. The yearly member data (MemberYear) is that of `roster.year` (default the year of
`as_of`). A rule's matches come from one query (the first matching roster row joined in) and are
written as plain rows (`storing`); suspects already stored are skipped, so a rerun adds nothing
(the unique constraints on rule + roster + member).

Policy values may differ below the roster's region (a township's own exempt vehicle types): the
members are then split by village into groups with the same values, one query per group.
"""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from fupin.accounts.masking import mask_id_number
from fupin.accounts.scope import in_code_range
from fupin.core.fields import to_json
from fupin.funds.models import Disbursement
from fupin.policy.models import PolicyValue
from fupin.policy.selectors import resolve_many, resolver
from fupin.regions.models import Region
from fupin.registry.choices import Health
from fupin.registry.models import Household, Member, MemberYear

from .choices import DatasetKind
from .loading import DESTITUTE, LOW_INCOME
from .models import Roster, RosterRow
from .storing import Row, enc, fetch, first_of, store


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    title: str
    description: str


FOUR_HAVES = "“四有户”（有车、有商品房、有工商注册、有财政供养人员）不应识别为贫困户。"
RULES = [
    Rule("four_have_payroll", DatasetKind.PAYROLL, "四有户：财政供养人员",
         FOUR_HAVES + "在册成员出现在财政供养人员名单中（机关事业单位在编人员等）。"),
    Rule("four_have_vehicle", DatasetKind.VEHICLE, "四有户：有车",
         FOUR_HAVES + "在册成员名下登记有车辆；车辆类型在 crosscheck.vehicle_exempt_types 中的（农用车、摩托车等"
                      "生产生活用车）不计，未填车辆类型的计入。"),
    Rule("four_have_housing", DatasetKind.HOUSING, "四有户：有商品房", FOUR_HAVES + "在册成员名下登记有商品房。"),
    Rule("four_have_business", DatasetKind.BUSINESS, "四有户：有工商注册",
         FOUR_HAVES + "在册成员为工商注册的企业法人、股东或个体工商户经营者。"),
    Rule("death_registered", DatasetKind.DEATH, "死亡仍在册",
         "死亡人员名单中的人在数据截止日期仍是在册成员（未标注减少），死亡日期不晚于数据截止日期。"),
    Rule("death_paid", DatasetKind.DEATH, "死亡后仍领取资金",
         "扶贫资金拨付给死亡人员：收款人身份证号为该人、拨付日期晚于死亡日期（死亡当天拨付不计）。"),
    Rule("low_income_unmarked", DatasetKind.LOW_INCOME, "低保未标注",
         "民政低保名单中的在册成员，在比对年度的成员数据中未标注“享受低保”（没有该年度数据的也列出）。"),
    Rule("destitute_unmarked", DatasetKind.LOW_INCOME, "特困未标注",
         "民政特困供养名单中的在册成员，在比对年度的成员数据中未标注“特困供养”。"),
    Rule("disability_unregistered", DatasetKind.DISABILITY, "残疾人未在残联登记",
         "比对年度健康状况为“残疾”的在册成员不在残联的残疾人名单中（只比对名单覆盖区划内的成员）。"),
    Rule("disability_no_subsidy", DatasetKind.DISABILITY, "残疾人未享受残疾人补贴",
         "残疾人名单中“享受残疾人补贴（两项补贴）”为“否”的在册成员。"),
    Rule("school_not_enrolled", DatasetKind.SCHOOL, "义务教育适龄未入学",
         "义务教育适龄（当年 12 月 31 日年龄在 exit.compulsory_school_age_from 至 _to 之间）的在册成员不在学籍"
         "名单中（只比对名单覆盖区划内的成员）。"),
    Rule("no_medical_insurance", DatasetKind.MEDICAL_INSURANCE, "未参加基本医疗保险",
         "在册成员不在医保参保名单中，且比对年度未标注参加城镇职工基本医疗保险（只比对名单覆盖区划内的成员）。"),
]
RULES_BY_CODE = {r.code: r for r in RULES}
# Kinds that feed other work (return-to-poverty screening) and have no rule: matches are only counted.
SCREENING_KINDS = frozenset({DatasetKind.MEDICAL_EXPENSE, DatasetKind.DISASTER})


def rules_for(kind: str) -> list[Rule]:
    return [r for r in RULES if r.kind == kind]


def rule_title(code: str) -> str:
    rule = RULES_BY_CODE.get(code)
    return rule.title if rule else code


MEMBER_VALUES = ("pk", "name", "id_number", "birth_date", "left_on", "household_id", "household__village_id",
                 "household__household_no", "household__head_name", "household__status")


def roster_year(roster: Roster) -> int:
    return roster.year or roster.as_of.year


class Context:
    """What the rules of one run share: the roster, the year, the region and the policy groups."""

    def __init__(self, roster: Roster, *, year: int | None = None):
        self.roster = roster
        self.year = year or roster_year(roster)
        self.region = Region.objects.get(code=roster.region_code)
        self.in_region = in_code_range("household__village_id", self.region.code_range)

    def groups(self, keys: tuple[str, ...]) -> list[tuple[Q, dict]]:
        """[(Q on members, {key: Resolved})]: one group unless a place under the region has its own values."""
        keys = ("crosscheck.checked_statuses", *keys)
        top = resolve_many(keys, year=self.year, region_code=self.region.code)
        below = (PolicyValue.objects.filter(in_code_range("region_code", self.region.code_range), key__in=keys,
                                            year_from__lte=self.year)
                 .exclude(region_code=self.region.code).exists())
        if not below:
            return [(self.in_region, top)]
        resolve_for = resolver(keys, year=self.year)
        grouped: dict[str, tuple[dict, list[str]]] = {}
        villages = (Household.objects.filter(in_code_range("village_id", self.region.code_range))
                    .values_list("village_id", flat=True).distinct())
        for village in villages:
            values = resolve_for(village)
            sig = json.dumps([[k, values[k].value, values[k].region_code, values[k].year_from] for k in keys],
                             ensure_ascii=False, default=str)
            grouped.setdefault(sig, (values, []))[1].append(village)
        return [(Q(household__village_id__in=villages), values) for values, villages in grouped.values()]

    def members(self, q: Q, policy: dict, *, present: bool = True) -> QuerySet:
        qs = Member.objects.filter(q, household__status__in=list(policy["crosscheck.checked_statuses"].value))
        if present:
            qs = qs.filter(Q(left_on__isnull=True) | Q(left_on__gt=self.roster.as_of))
        return qs

    def roster_rows(self, **filters) -> QuerySet:
        """This roster's rows, for `fetch(first_row=…)` to match with each member."""
        return RosterRow.objects.filter(roster_id=self.roster.pk, **filters)

    def rows(self, **filters) -> QuerySet:
        """This roster's rows with the outer member's ID number (inside Exists or a subquery)."""
        return self.roster_rows(**filters).filter(id_number=OuterRef("id_number"))

    def year_value(self, field: str) -> Subquery:
        return Subquery(MemberYear.objects.filter(member_id=OuterRef("pk"), year=self.year).values(field)[:1])


def _who(m: dict) -> str:
    return f"{m['household__head_name']}户成员{m['name']}（{mask_id_number(m['id_number'])}）"


def _registry(m: dict, **extra) -> dict:
    return {"member_id": m["pk"], "name": m["name"], "id_number": m["id_number"],
            "birth_date": m["birth_date"].isoformat(), "left_on": m["left_on"].isoformat() if m["left_on"] else None,
            "household_id": m["household_id"], "household_no": m["household__household_no"],
            "household_status": m["household__status"], **extra}


REGISTRY_KEYS = frozenset(_registry({"pk": 0, "name": "", "id_number": "", "birth_date": date.min, "left_on": None,
                                     "household_id": 0, "household__household_no": "", "household__status": ""}))


def _registry_json(m: dict, extra: dict | None) -> str:
    """to_json(_registry(m, **extra)), written directly (a third of the time)."""
    if extra and not REGISTRY_KEYS.isdisjoint(extra):
        return to_json(_registry(m, **extra))
    left = f'"{m["left_on"].isoformat()}"' if m["left_on"] else "null"
    text = (f'{{"member_id": {int(m["pk"])}, "name": {enc(m["name"])}, "id_number": {enc(m["id_number"])}, '
            f'"birth_date": "{m["birth_date"].isoformat()}", "left_on": {left}, '
            f'"household_id": {int(m["household_id"])}, "household_no": {enc(m["household__household_no"])}, '
            f'"household_status": {enc(m["household__status"])}')
    return f"{text}, {to_json(extra)[1:]}" if extra else text + "}"


class Finder:
    """Collects a run's matches; `rows()` turns them into suspect rows for `storing.store` while they
    are written (on PostgreSQL the server stores one chunk while the next is built). `inputs` is
    built as JSON text: the same text as encoding {rule, year, as_of, roster_row, registry, policy},
    the parts a rule's suspects share encoded once."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.batches: list[tuple] = []
        self.counts: Counter = Counter()

    def add(self, rule: str, matched: list[tuple[dict, Row | None]], policy: dict, reason, *, extra=None,
            keys=()) -> None:
        """Suspects for `fetch`ed (member values, roster row) pairs. reason(m, row) → the text and
        extra(m) → more registry values are called later, by `rows()`: bind loop variables as defaults."""
        policy_rows = [policy[k].explain() for k in ("crosscheck.checked_statuses", *keys)]
        self.batches.append((rule, matched, policy_rows, reason, extra))
        self.counts[rule] += len(matched)

    def rows(self) -> Iterator[tuple]:
        """(rule, roster_id, roster_row_id, household_id, member_id, village_code, year, reason, inputs)."""
        ctx = self.ctx
        roster_id, year, as_of = ctx.roster.pk, ctx.year, ctx.roster.as_of.isoformat()
        for rule, matched, policy_rows, reason, extra in self.batches:
            start = to_json({"rule": rule, "year": year, "as_of": as_of})[:-1] + ', "roster_row": '
            end = f', "policy": {to_json(policy_rows)}}}'
            for m, row in matched:
                registry = _registry_json(m, extra(m) if extra else None)
                yield (rule, roster_id, row.pk if row else None, m["household_id"], m["pk"], m["household__village_id"],
                       year, reason(m, row)[:500],
                       f'{start}{row.as_json() if row else "null"}, "registry": {registry}{end}')


def _four_haves(ctx: Context, f: Finder, rule: str, what: str) -> None:
    keys = ("crosscheck.vehicle_exempt_types",) if rule == "four_have_vehicle" else ()
    for q, policy in ctx.groups(keys):
        row_filter = Q()
        if keys:
            exempt = list(policy["crosscheck.vehicle_exempt_types"].value)
            row_filter = ~Q(category__in=exempt)
        members = fetch(ctx.members(q, policy).values(*MEMBER_VALUES), first_row=ctx.roster_rows().filter(row_filter))

        def reason(m, r, what=what):
            data = r.data if r else None
            detail = "；".join([f"{k}：{v}" for k, v in islice(data.items(), 3)]) if data else ""
            if rule == "four_have_vehicle" and r and not r.category:
                detail = (detail + "；" if detail else "") + "未填车辆类型（按计入处理）"
            return f"{_who(m)}{what}（数据第 {r.row_no} 行{('：' + detail) if detail else ''}）"

        f.add(rule, members, policy, reason, keys=keys)


def _death(ctx: Context, f: Finder) -> None:
    as_of = ctx.roster.as_of
    for q, policy in ctx.groups(()):
        members = fetch(ctx.members(q, policy).values(*MEMBER_VALUES), first_row=ctx.roster_rows(event_date__lte=as_of))
        f.add("death_registered", members, policy,
              lambda m, r: f"{_who(m)}已于 {r.event_date:%Y-%m-%d} 死亡（死亡人员数据第 {r.row_no} 行），"
                           f"截至 {as_of:%Y-%m-%d} 仍在册，未标注减少")
        died = first_of(ctx.rows(), "event_date")
        paid = Disbursement.objects.filter(payee_id_number=OuterRef("id_number"), paid_on__gt=OuterRef("died_on"))
        members = fetch(ctx.members(q, policy, present=False).annotate(died_on=died)
                        .filter(died_on__isnull=False).filter(Exists(paid)).values(*MEMBER_VALUES, "died_on"),
                        first_row=ctx.roster_rows())
        payments: dict[str, list] = {}
        for d in (Disbursement.objects.filter(payee_id_number__in=[m["id_number"] for m, _ in members])
                  .order_by("paid_on", "id").values("pk", "payee_id_number", "paid_on", "amount", "item",
                                                    "location_code")):
            payments.setdefault(d["payee_id_number"], []).append(d)

        def after(m, payments=payments):
            return [p for p in payments.get(m["id_number"], []) if p["paid_on"] > m["died_on"]]

        def extra(m, after=after):
            return {"payments_after_death": [{"disbursement_id": p["pk"], "paid_on": p["paid_on"].isoformat(),
                                              "amount": str(p["amount"]), "item": p["item"],
                                              "location_code": p["location_code"]} for p in after(m)]}

        def reason(m, r, after=after):
            later = after(m)
            total = sum(p["amount"] for p in later)
            return (f"{_who(m)}已于 {m['died_on']:%Y-%m-%d} 死亡（死亡人员数据第 {r.row_no} 行），此后仍领取扶贫资金 "
                    f"{len(later)} 笔共 {total:.2f} 元（最早 {later[0]['paid_on']:%Y-%m-%d}）")

        f.add("death_paid", members, policy, reason, extra=extra)


def _low_income(ctx: Context, f: Finder) -> None:
    for q, policy in ctx.groups(()):
        for rule, category, field, label in (
                ("low_income_unmarked", LOW_INCOME, "on_low_income_support", "享受低保"),
                ("destitute_unmarked", DESTITUTE, "on_destitute_support", "特困供养")):
            members = fetch(ctx.members(q, policy).annotate(flag=ctx.year_value(field), year_id=ctx.year_value("pk"))
                            .filter(Q(flag__isnull=True) | Q(flag=False))
                            .values(*MEMBER_VALUES, "year_id"), first_row=ctx.roster_rows(category=category))

            def reason(m, r, category=category, label=label):
                state = "没有该年度成员数据" if m["year_id"] is None else f"未标注“{label}”"
                return f"{_who(m)}在民政{category}名单中（第 {r.row_no} 行），{ctx.year} 年{state}"

            f.add(rule, members, policy, reason,
                  extra=lambda m, field=field: {field: False if m["year_id"] else None,
                                                "year_data": m["year_id"] is not None})


def _disability(ctx: Context, f: Finder) -> None:
    for q, policy in ctx.groups(()):
        disabled = MemberYear.objects.filter(member_id=OuterRef("pk"), year=ctx.year, health=Health.DISABLED)
        members = fetch(ctx.members(q, policy).filter(Exists(disabled)).filter(~Exists(ctx.rows()))
                        .annotate(grade=ctx.year_value("disability_grade")).values(*MEMBER_VALUES, "grade"))
        f.add("disability_unregistered", members, policy,
              lambda m, r: f"{_who(m)}{ctx.year} 年健康状况为残疾，但不在残联残疾人名单中",
              extra=lambda m: {"health": Health.DISABLED, "disability_grade": m["grade"] or ""})
        members = fetch(ctx.members(q, policy).values(*MEMBER_VALUES), first_row=ctx.roster_rows(category="否"))
        f.add("disability_no_subsidy", members, policy,
              lambda m, r: f"{_who(m)}在残疾人名单中（第 {r.row_no} 行）登记为未享受残疾人补贴（两项补贴）")


def _school(ctx: Context, f: Finder) -> None:
    keys = ("exit.compulsory_school_age_from", "exit.compulsory_school_age_to")
    for q, policy in ctx.groups(keys):
        low, high = int(policy[keys[0]].value), int(policy[keys[1]].value)
        # Age on 31 December of the year = year − birth year.
        born = (date(ctx.year - high, 1, 1), date(ctx.year - low, 12, 31))
        members = fetch(ctx.members(q, policy).filter(birth_date__range=born).filter(~Exists(ctx.rows()))
                        .annotate(school=ctx.year_value("school_status")).values(*MEMBER_VALUES, "school"))
        f.add("school_not_enrolled", members, policy,
              lambda m, r: f"{_who(m)}{ctx.year} 年 12 月 31 日满 {ctx.year - m['birth_date'].year} 周岁，"
                           f"属义务教育适龄，但不在学籍名单中",
              extra=lambda m: {"age_on_dec_31": ctx.year - m["birth_date"].year, "school_status": m["school"]},
              keys=keys)


def _medical(ctx: Context, f: Finder) -> None:
    for q, policy in ctx.groups(()):
        members = fetch(ctx.members(q, policy).filter(~Exists(ctx.rows()))
                        .annotate(employee=ctx.year_value("employee_medical_insurance"),
                                  resident=ctx.year_value("resident_medical_insurance"))
                        .filter(Q(employee__isnull=True) | Q(employee=False))
                        .values(*MEMBER_VALUES, "employee", "resident"))
        f.add("no_medical_insurance", members, policy,
              lambda m, r: f"{_who(m)}不在医保参保名单中，{ctx.year} 年也未标注参加城镇职工基本医疗保险",
              extra=lambda m: {"employee_medical_insurance": m["employee"],
                               "resident_medical_insurance": m["resident"]})


FOUR_HAVE_TEXT = {"four_have_payroll": "是财政供养人员", "four_have_vehicle": "名下有车辆",
                  "four_have_housing": "名下有商品房", "four_have_business": "有工商注册"}


def screening_matches(ctx: Context) -> int:
    """Roster rows of a screening kind whose person is a registry member (present, checked status)."""
    total = 0
    for q, policy in ctx.groups(()):
        total += ctx.members(q, policy).filter(Exists(ctx.rows())).count()
    return total


def run_rules(roster: Roster, *, year: int | None = None) -> dict:
    """Run the kind's rules on the roster; store the suspects (existing ones kept); return the summary."""
    ctx = Context(roster, year=year)
    f = Finder(ctx)
    kind = roster.kind
    summary: dict = {"year": ctx.year, "rules": {}}
    if kind in SCREENING_KINDS:
        summary["matched_members"] = screening_matches(ctx)
    elif kind == DatasetKind.DEATH:
        _death(ctx, f)
    elif kind == DatasetKind.LOW_INCOME:
        _low_income(ctx, f)
    elif kind == DatasetKind.DISABILITY:
        _disability(ctx, f)
    elif kind == DatasetKind.SCHOOL:
        _school(ctx, f)
    elif kind == DatasetKind.MEDICAL_INSURANCE:
        _medical(ctx, f)
    else:
        rule = rules_for(kind)[0]
        _four_haves(ctx, f, rule.code, FOUR_HAVE_TEXT[rule.code])
    totals, before = store(roster, f.rows())
    for rule in rules_for(kind):
        summary["rules"][rule.code] = {"title": rule.title, "found": f.counts.get(rule.code, 0),
                                       "total": totals.get(rule.code, 0)}
    summary["new"] = sum(totals.values()) - before
    summary["matched_at"] = timezone.now().isoformat()
    roster.matched_at = timezone.now()
    roster.match_summary = {**{k: v for k, v in (roster.match_summary or {}).items() if k == "load"}, **summary}
    roster.save(update_fields=["matched_at", "match_summary"])
    return summary
