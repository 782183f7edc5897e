"""Synthetic registry (建档立卡) data for one county: calibrated, seeded, scalable.

`generate_county(county_code=…, households=N, seed=S)` fills the villages of a county (already
loaded with `fupin import_regions`) with N households, their members, one helper cadre per ~5
households and the audit trail of all of it — in one transaction, so a failure writes nothing.
Same seed and same `as_of` date (the day ages are counted at; default 1 January of the current
year) ⇒ the same data, on SQLite and PostgreSQL alike (database keys and timestamps aside).

Audit trail: one entry per household with its members inside (`after["members"]`), one per cadre
account, and one summary (`demo.dataset`, with the statistics and the poor villages) — written by
`audit.services.record_many`, one call per batch of BATCH_SIZE households.

This is demo and benchmark data, not policy: the shares below are named constants here (and only
here) so the data *looks* like a real county. What is calibrated and what is chosen
(DOMAIN.md §Calibration; [v] confirmed there, [demo] our assumption for plausible data):

- Size: 平利县 registered 23,035 households with 57,568 persons [v] → 2.499 persons per household.
  Sizes 1–7 are apportioned so that the total number of persons is exactly N × 57,568 / 23,035
  (rounded); the shape of the size distribution is [demo].
- Villages: 90 poor villages [v] out of ~137 administrative villages (the CSV); a poor village gets
  POOR_VILLAGE_WEIGHT times the households of another, ±40 % noise [demo]. Region has no 贫困村
  flag, so which villages are poor is only reported in the stats.
- Main cause (主要致贫原因): 因病 42.4 % of households [v]; the other shares are [demo], ordered as in the
  local multi-select survey of DOMAIN.md (缺技术 and 缺资金 high, then 因残, 缺劳力, 因学, 交通 …).
  Shares are apportioned exactly (not sampled), so 因病 is 42.4 % at any N.
- Attribute (贫困户属性): 一般 70 %, 低保 25 %, 特困供养 5 % [demo]. 特困 households are 1–2 elderly or
  disabled persons without labour, with every member on 特困供养; 低保 households have at least one
  member on 低保; others have none.
- Time line [demo]: registered 2014 (80 %), 2015 (12 %, the 回头看 review), 2016 (8 %); exits
  2016–2020 (15/25/30/20/10 %), never before the year after registration. Status at `as_of`:
  已脱贫 96 %, 监测户 2.5 % (exited, then under 防止返贫监测), 返贫 0.5 % (exited, fell back),
  已销户 0.5 % (e.g. the only member died), 未脱贫 0.5 % (none remained in 2020 in reality; kept
  so the exit workflow has cases).
- Helpers (帮扶责任人): one cadre per ~5 households (loads 1–10, mean ≈ 4.9), all in the cadre's
  township, consecutive households of a village going to the same cadre [demo]. Cadre accounts
  have no usable password (they are records, not logins); `create_demo_users` adds a loginable one.

Consistency built in (the cross-checks of DOMAIN.md must find nothing here): valid 18-digit IDs
(GB 11643 check digit, birth date = the member's, odd/even sequence digit = male/female, the
county's code *valid in the birth year* — 平利县 was 612427 before 2000, as stdnum knows — and all
unique); head and spouse of opposite sex; 之子/之孙子/之父/之女婿 male, 之女/之孙女/之母/之儿媳 female;
children born when their parents were ≥ 18; under 6 → 学龄前儿童, under 16 → 无劳动力 and in
school from 6; 因病 ⇒ a member 长期慢性病 or 患有大病; 因残 ⇒ a member 残疾; 因学 ⇒ a student.

The Member model has no 在校生状况 field, so a *student* here is a member aged 6–22 whose 文化程度
is a school level (小学 … 大专及以上) and whose 劳动能力 is 无劳动力 (see `is_student`).
"""

from __future__ import annotations

import enum
import math
import random
import string
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.management.base import CommandError
from django.db import connections, models, router, transaction
from django.utils import timezone
from stdnum import luhn, numdb
from stdnum.cn import ric

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.audit.services import Action, Entry, record, record_many
from fupin.regions.codes import Level, normalize_code, subtree_range
from fupin.regions.models import Region
from fupin.registry.choices import (
    Education,
    Gender,
    Health,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    IdType,
    LabourCapacity,
    PovertyCause,
    Relation,
)
from fupin.registry.models import Household, Member

# --- Calibration (DOMAIN.md §Calibration; demo data, not policy) --------------------------------

# 平利县 (610926): 23,035 households, 57,568 persons, 90 poor villages [v].
REFERENCE_HOUSEHOLDS = 23_035
REFERENCE_PERSONS = 57_568
PERSONS_PER_HOUSEHOLD = REFERENCE_PERSONS / REFERENCE_HOUSEHOLDS
REFERENCE_POOR_VILLAGES = 90
REFERENCE_VILLAGES = 137
POOR_VILLAGE_SHARE = REFERENCE_POOR_VILLAGES / REFERENCE_VILLAGES
POOR_VILLAGE_WEIGHT = 3.0  # [demo] households in a poor village relative to another village
VILLAGE_WEIGHT_NOISE = (0.6, 1.4)  # [demo]

# Shape of the household-size distribution [demo]; the mean is then pinned to PERSONS_PER_HOUSEHOLD.
HOUSEHOLD_SIZE_SHARES = {1: 0.26, 2: 0.34, 3: 0.18, 4: 0.12, 5: 0.06, 6: 0.03, 7: 0.01}

# 因病 42.4 % [v]; the rest [demo].
MAIN_CAUSE_SHARES = {
    PovertyCause.ILLNESS: 0.424,
    PovertyCause.LACK_SKILLS: 0.120,
    PovertyCause.LACK_FUNDS: 0.100,
    PovertyCause.DISABILITY: 0.090,
    PovertyCause.LACK_LABOUR: 0.080,
    PovertyCause.SCHOOLING: 0.070,
    PovertyCause.TRANSPORT: 0.040,
    PovertyCause.NO_MOTIVATION: 0.030,
    PovertyCause.DISASTER: 0.020,
    PovertyCause.LACK_LAND: 0.010,
    PovertyCause.LACK_WATER: 0.004,
    PovertyCause.MARRIAGE: 0.002,
    PovertyCause.OTHER: 0.010,
}
# How many other causes a household records besides the main one (0, 1 or 2) [demo].
OTHER_CAUSE_COUNT_SHARES = {0: 0.35, 1: 0.45, 2: 0.20}

ATTRIBUTE_SHARES = {  # [demo]
    HouseholdAttribute.GENERAL: 0.70,
    HouseholdAttribute.LOW_INCOME: 0.25,
    HouseholdAttribute.DESTITUTE: 0.05,
}
# 特困供养 goes to households whose main cause leaves them without labour [demo].
DESTITUTE_CAUSES = (PovertyCause.LACK_LABOUR, PovertyCause.DISABILITY, PovertyCause.ILLNESS)
DESTITUTE_SIZE_SHARES = {1: 0.8, 2: 0.2}  # [demo]
# Share of a 低保 household's members covered by 低保 when not all are [demo].
LOW_INCOME_ALL_MEMBERS = 0.6

IDENTIFICATION_STANDARD_SHARES = {  # [demo]
    IdentificationStandard.NATIONAL: 0.95,
    IdentificationStandard.PROVINCIAL: 0.05,
}
REGISTERED_YEAR_SHARES = {2014: 0.80, 2015: 0.12, 2016: 0.08}  # [demo]
EXIT_YEAR_SHARES = {2016: 0.15, 2017: 0.25, 2018: 0.30, 2019: 0.20, 2020: 0.10}  # [demo]
STATUS_SHARES = {  # [demo] status at `as_of`
    HouseholdStatus.EXITED: 0.960,
    HouseholdStatus.MONITORED: 0.025,
    HouseholdStatus.RETURNED: 0.005,
    HouseholdStatus.CANCELLED: 0.005,
    HouseholdStatus.NOT_EXITED: 0.005,
}
STATUSES_WITH_EXIT = (HouseholdStatus.EXITED, HouseholdStatus.MONITORED, HouseholdStatus.RETURNED)

# Households per helper cadre [demo]: 1–10, mean ≈ 4.9; nobody is paired with more than 10.
HELPER_MAX_HOUSEHOLDS = 10
HELPER_LOAD_WEIGHTS = {1: 5, 2: 7, 3: 9, 4: 12, 5: 14, 6: 11, 7: 8, 8: 5, 9: 3, 10: 2}

GROUPS_PER_VILLAGE = (3, 8)  # 村民小组 per village [demo]

# Health of members by age band (chronic, serious, disabled) before causes are enforced [demo].
HEALTH_BY_AGE = ((40, (0.03, 0.01, 0.02)), (60, (0.10, 0.03, 0.04)), (200, (0.22, 0.05, 0.06)))
ETHNICITY_SHARES = {"汉族": 0.990, "土家族": 0.006, "回族": 0.002, "苗族": 0.002}  # [demo]
EMPLOYEE_INSURANCE_SHARE = 0.005  # [demo] the rest are in 城乡居民基本医疗保险
MEMBER_PHONE_SHARE = 0.5  # [demo] adults 18–70 with their own phone

SCHOOL_AGE = 6  # from here a child is in school (小学)
LABOUR_AGE = 16  # below: 无劳动力
STUDENT_MAX_AGE = 22

# --- Name, phone and bank pools ------------------------------------------------------------------

SURNAMES = (  # weighted towards the surnames of southern Shaanxi
    "王王王王张张张张李李李陈陈陈刘刘刘杨杨黄黄胡胡周周吴吴徐朱何罗余余程彭曹谢唐柯汪詹邹鲁童冯沈邓孙"
    "赵马郭高林梁宋郑韩冯董袁许傅曾吕苏卢蒋蔡贾丁魏薛叶阎潘杜戴夏钟田任姜范方石姚谭廖熊金陆郝孔白"
    "崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹易常武乔贺赖龚文阮"
)
GIVEN_NAME_CHARS = {
    # (gender, era): characters; era 0 born before 1970, 1 before 1995, 2 later.
    (Gender.MALE, 0): "德福贵富财发生宝才山林树根成全有明忠义仁礼顺安康寿禄喜春荣华国兴正开元清",
    (Gender.MALE, 1): "军建国伟强勇平兵刚明华东海波涛斌鹏辉林峰磊超亮红文武学志永成杰俊",
    (Gender.MALE, 2): "浩宇轩子睿泽晨博涵文杰俊鑫磊航瑞豪阳毅然昊铭锦奕诚思嘉明天佳",
    (Gender.FEMALE, 0): "秀英兰芳珍玉梅凤琴桂花菊莲香翠云群芬彩素娥金银淑贤巧翠",
    (Gender.FEMALE, 1): "红霞丽萍燕娟敏静艳琳芳玲莉华梅英丹春凤琼荣婷",
    (Gender.FEMALE, 2): "欣怡佳梦雨涵萱诗婷雪慧琪悦可馨妍紫若语心瑶钰思璐",
}
TWO_CHAR_GIVEN_NAME_SHARE = 0.8
# China's mobile number blocks (1[3-9]x).
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182",
    "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)
# Where the county pays subsidies [demo]; the six-digit prefixes are BIN-like, for shape only.
BANKS = (
    ("平利县农村信用合作联社", "621391", 0.55),
    ("中国邮政储蓄银行", "621799", 0.25),
    ("中国农业银行", "622848", 0.15),
    ("中国建设银行", "621700", 0.05),
)
CHINESE_NUMERALS = "一二三四五六七八九十"
SAME_SURNAME = frozenset({Relation.HEAD, Relation.SON, Relation.DAUGHTER, Relation.GRANDSON, Relation.GRANDDAUGHTER,
                          Relation.FATHER, Relation.SIBLING})

BATCH_SIZE = 2000
PASSWORD_CHARS = string.ascii_letters + string.digits
# Member fields recorded in the household's creation entry of the audit trail.
MEMBER_AUDIT_FIELDS = ("name", "id_type", "id_number", "gender", "birth_date", "relation", "ethnicity", "education",
                       "health", "labour_capacity", "phone", "on_low_income_support", "on_destitute_support",
                       "resident_medical_insurance", "employee_medical_insurance")

DEMO_CADRE_PREFIX = "cadre_"


class DemoError(CommandError):
    """Generation refused (wrong county, not loaded, already has households)."""


# --- Small helpers -----------------------------------------------------------------------------


def apportion(shares: dict, total: int) -> dict:
    """Split `total` by `shares` (largest remainder, ties in dict order): exact counts summing to total."""
    weight = sum(shares.values())
    raw = {k: total * v / weight for k, v in shares.items()}
    counts = {k: math.floor(x) for k, x in raw.items()}
    left = total - sum(counts.values())
    order = sorted(shares, key=lambda k: -(raw[k] - counts[k]))  # stable: dict order breaks ties
    for k in order[:left]:
        counts[k] += 1
    return counts


def shuffled_labels(rng: random.Random, shares: dict, total: int) -> list:
    labels = [k for k, n in apportion(shares, total).items() for _ in range(n)]
    rng.shuffle(labels)
    return labels


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


STUDENT_LEVELS = frozenset({Education.PRIMARY, Education.JUNIOR, Education.SENIOR, Education.VOCATIONAL,
                            Education.COLLEGE})


def is_student(member, *, as_of: date) -> bool:
    """The demo's reading of 在校生 (the model has no field for it): aged 6–22, a school level, no labour."""
    age = age_on(member.birth_date, as_of)
    return (SCHOOL_AGE <= age <= STUDENT_MAX_AGE and member.education in STUDENT_LEVELS
            and member.labour_capacity == LabourCapacity.NONE)


def _pick(rng: random.Random, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


@cache
def id_prefix_periods(county6: str) -> tuple[tuple[int, int, str], ...]:
    """(first year, last year, 6-digit code) under which the county's residents got their IDs.

    A county's code changes when it is re-organised (平利县: 612427 until 2000, then 610926), and an ID
    keeps the code in force when it was issued. stdnum's location table knows these periods; we take
    every code of the province that carried the county's current name."""
    province = county6[:2]

    def segments(text: str):
        for part in text.split(","):
            if part.startswith("["):
                span, name = part[1:].split("]", 1)
                start, end = span.split("-")
                yield int(start or 0), int(end or 9999), name
            else:
                yield 0, 9999, part

    entries = []
    for _length, low, _high, _props, children in numdb.get("cn/loc").prefixes:
        if low != province:
            continue
        for _l, code4, _h, props, _c in children:
            entries.append((province + code4, list(segments(props.get("county", "")))))
    current = [name for code, segs in entries if code == county6 for *_, name in segs]
    if not current:
        return ((0, 9999, county6),)
    name = current[-1]
    periods = [(start, end, code) for code, segs in entries for start, end, n in segs if n == name]
    # The county's own code first, so it wins in an overlapping year.
    return tuple(sorted(periods, key=lambda p: (p[2] != county6, p[0])))


def id_prefix_for(county6: str, year: int) -> str:
    for start, end, code in id_prefix_periods(county6):
        if start <= year <= end:
            return code
    return county6


# --- People ------------------------------------------------------------------------------------


@dataclass
class Person:
    relation: str
    gender: str
    age: int
    student: bool = False


@dataclass
class HouseholdPlan:
    size: int
    cause: str
    attribute: str
    status: str
    registered_year: int
    helper_id: int


class MemberRow:
    """A member being generated: the Member fields we set, plus its age and school status."""

    __slots__ = ("household_id", "name", "id_type", "id_number", "gender", "birth_date", "relation", "ethnicity",
                 "education", "health", "labour_capacity", "phone", "on_low_income_support",
                 "on_destitute_support", "resident_medical_insurance", "employee_medical_insurance", "age",
                 "student")

    def __init__(self, **values):
        self.household_id = None
        self.id_number = self.phone = self.labour_capacity = ""
        self.on_low_income_support = self.on_destitute_support = self.employee_medical_insurance = False
        self.resident_medical_insurance = True
        for k, v in values.items():
            setattr(self, k, v)


class _Generator:
    def __init__(self, *, county: Region, seed: int, as_of: date):
        self.county = county
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.county6 = county.code[:6]
        self.ids: set[str] = set()
        self.accounts: set[str] = set()
        self.surnames = SURNAMES
        self.cause_list = [c for c in PovertyCause if c != PovertyCause.OTHER]

    # names, phones, accounts
    def given_name(self, gender: str, birth_year: int) -> str:
        era = 0 if birth_year < 1970 else (1 if birth_year < 1995 else 2)
        chars = GIVEN_NAME_CHARS[(gender, era)]
        rng = self.rng
        first = rng.choice(chars)
        if rng.random() < TWO_CHAR_GIVEN_NAME_SHARE:
            second = rng.choice(chars)
            return first + (second if second != first else rng.choice(chars))
        return first

    def surname(self) -> str:
        return self.rng.choice(self.surnames)

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def bank(self) -> tuple[str, str]:
        rng = self.rng
        name, prefix, _w = rng.choices(BANKS, weights=[b[2] for b in BANKS])[0]
        while True:
            body = prefix + f"{rng.randrange(10**12):012d}"
            account = body + luhn.calc_check_digit(body)
            if account not in self.accounts:
                self.accounts.add(account)
                return name, account

    def birth_date(self, age: int) -> date:
        """A birth date at which the person is exactly `age` on as_of."""
        latest = _years_before(self.as_of, age)  # turning `age` on as_of
        earliest = _years_before(self.as_of, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, birth: date, gender: str) -> str:
        prefix = id_prefix_for(self.county6, birth.year)
        rng = self.rng
        while True:
            seq = rng.randrange(100) * 10 + rng.randrange(5) * 2 + (1 if gender == Gender.MALE else 0)
            body = f"{prefix}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.ids:
                self.ids.add(number)
                return number

    # family composition
    def head_age(self, plan: HouseholdPlan) -> int:
        rng = self.rng
        if plan.attribute == HouseholdAttribute.DESTITUTE:
            if plan.size > 1 or rng.random() < 0.8:
                return rng.randint(62, 90)
            return rng.randint(35, 59)  # alone and disabled
        if plan.cause == PovertyCause.LACK_LABOUR:
            return rng.randint(62, 88)
        if plan.cause == PovertyCause.SCHOOLING:
            return rng.randint(38, 56)
        if plan.size == 1:
            return rng.randint(30, 59) if rng.random() < 0.45 else rng.randint(60, 88)
        band = rng.choices(((25, 39), (40, 59), (60, 84)), weights=(0.15, 0.45, 0.40))[0]
        return rng.randint(*band)

    def family(self, plan: HouseholdPlan) -> list[Person]:
        rng, n = self.rng, plan.size
        head_age = self.head_age(plan)
        spouse = n >= 2 and rng.random() < (0.6 if head_age >= 70 else 0.82)
        if plan.attribute == HouseholdAttribute.DESTITUTE:
            spouse = n == 2  # an elderly couple, or one person
        elif plan.cause == PovertyCause.SCHOOLING:
            spouse = n >= 3 and rng.random() < 0.85  # a size-2 household is a parent and the student
        head_gender = Gender.MALE if rng.random() < (0.95 if spouse else 0.7) else Gender.FEMALE
        people = [Person(Relation.HEAD, head_gender, head_age)]
        if spouse:
            gap = rng.randint(-2, 6)
            spouse_age = max(20, head_age - gap if head_gender == Gender.MALE else head_age + gap)
            people.append(Person(Relation.SPOUSE, _other(head_gender), spouse_age))
        parent_age = min(p.age for p in people)  # the younger of head and spouse
        left = n - len(people)
        if left >= 3 and parent_age >= 50 and rng.random() < 0.7 and plan.cause != PovertyCause.SCHOOLING:
            people += self.married_child_with_children(parent_age, left)
        else:
            reserve = 1 if parent_age < 50 and left >= 2 and rng.random() < 0.3 else 0
            people += self.children(parent_age, left - reserve, need_student=plan.cause == PovertyCause.SCHOOLING,
                                    son=Relation.SON, daughter=Relation.DAUGHTER)
        while len(people) < n:  # parents of the head (mothers outlive fathers), then siblings
            has = {p.relation for p in people}
            parents = [r for r in (Relation.MOTHER, Relation.MOTHER, Relation.FATHER) if r not in has]
            if head_age <= 65 and parents:
                if rng.choice(parents) == Relation.MOTHER:
                    people.append(Person(Relation.MOTHER, Gender.FEMALE, min(95, head_age + rng.randint(20, 30))))
                else:
                    people.append(Person(Relation.FATHER, Gender.MALE, min(95, head_age + rng.randint(22, 32))))
            else:
                people.append(Person(Relation.SIBLING, _random_gender(rng),
                                     max(LABOUR_AGE, head_age + rng.randint(-8, 8))))
        return people

    def children(self, parent_age: int, count: int, *, need_student: bool, son: str, daughter: str) -> list[Person]:
        rng = self.rng
        kids: list[Person] = []
        age = parent_age - rng.randint(20, 32)
        if need_student:
            age = min(parent_age - 20, rng.randint(15, 21))
        for i in range(count):
            if age < 0:
                break
            gender = _random_gender(rng)
            kids.append(Person(son if gender == Gender.MALE else daughter, gender, age,
                               student=need_student and i == 0))
            age -= rng.randint(1, 5)
        return kids

    def married_child_with_children(self, parent_age: int, slots: int) -> list[Person]:
        rng = self.rng
        child_age = max(20, parent_age - rng.randint(22, 30))
        if rng.random() < 0.75:  # a son and his wife, or a daughter and a 上门女婿
            child = Person(Relation.SON, Gender.MALE, child_age)
            inlaw = Person(Relation.DAUGHTER_IN_LAW, Gender.FEMALE, max(20, child_age - rng.randint(-2, 5)))
        else:
            child = Person(Relation.DAUGHTER, Gender.FEMALE, child_age)
            inlaw = Person(Relation.SON_IN_LAW, Gender.MALE, max(20, child_age + rng.randint(-2, 5)))
        young = min(child.age, inlaw.age)
        grand = self.children(young, slots - 2, need_student=False, son=Relation.GRANDSON,
                              daughter=Relation.GRANDDAUGHTER)
        return [child, inlaw, *grand]

    # attributes of a person
    def education(self, age: int, birth_year: int, student: bool) -> str:
        rng = self.rng
        if age < SCHOOL_AGE:
            return Education.PRESCHOOL
        if student:
            if age <= 11:
                return Education.PRIMARY
            if age <= 14:
                return Education.JUNIOR
            if age <= 18:
                return Education.SENIOR if rng.random() < 0.7 else Education.VOCATIONAL
            return Education.COLLEGE if rng.random() < 0.75 else Education.VOCATIONAL
        if age <= STUDENT_MAX_AGE:
            return rng.choices((Education.PRIMARY, Education.JUNIOR, Education.SENIOR), weights=(1, 7, 2))[0]
        if birth_year < 1960:
            weights = (40, 45, 13, 2, 0, 0)
        elif birth_year < 1980:
            weights = (10, 40, 40, 8, 2, 0)
        else:
            weights = (0, 15, 55, 15, 8, 7)
        return rng.choices((Education.ILLITERATE, Education.PRIMARY, Education.JUNIOR, Education.SENIOR,
                            Education.VOCATIONAL, Education.COLLEGE), weights=weights)[0]

    def health(self, age: int) -> str:
        r = self.rng.random()
        chronic, serious, disabled = next(shares for limit, shares in HEALTH_BY_AGE if age < limit)
        if r < chronic:
            return Health.CHRONIC
        if r < chronic + serious:
            return Health.SERIOUS
        if r < chronic + serious + disabled:
            return Health.DISABLED
        return Health.HEALTHY

    def labour(self, age: int, health: str, student: bool) -> str:
        rng = self.rng
        if age < LABOUR_AGE or student:
            return LabourCapacity.NONE
        if age >= 75:
            return LabourCapacity.NONE
        if health in (Health.DISABLED, Health.SERIOUS):
            return LabourCapacity.LOST if rng.random() < 0.7 else LabourCapacity.WEAK
        if health == Health.CHRONIC:
            return LabourCapacity.WEAK if rng.random() < 0.6 else LabourCapacity.ORDINARY
        if age >= 60:
            return LabourCapacity.WEAK if rng.random() < 0.55 else LabourCapacity.ORDINARY
        return LabourCapacity.SKILLED if rng.random() < 0.12 else LabourCapacity.ORDINARY

    def students_by_age(self, people: list[Person]) -> None:
        for p in people:
            if SCHOOL_AGE <= p.age < LABOUR_AGE:
                p.student = True  # compulsory education: by 2020 no dropouts were left
            elif LABOUR_AGE <= p.age <= 18 and not p.student:
                p.student = self.rng.random() < 0.75
            elif 19 <= p.age <= STUDENT_MAX_AGE and not p.student:
                p.student = self.rng.random() < 0.35

    def members(self, plan: HouseholdPlan) -> tuple[list[MemberRow], str]:
        rng = self.rng
        people = self.family(plan)
        self.students_by_age(people)
        family_name = self.surname()
        members = []
        for p in people:
            birth = self.birth_date(p.age)
            # The head's blood relatives carry the family name (children of a 上门女婿 too, as is
            # customary in the region); spouses and in-laws their own.
            surname = family_name if p.relation in SAME_SURNAME else self.surname()
            members.append(MemberRow(
                name=surname + self.given_name(p.gender, birth.year), id_type=IdType.RESIDENT_ID,
                gender=p.gender, birth_date=birth, relation=p.relation, ethnicity=_pick(rng, ETHNICITY_SHARES),
                education=self.education(p.age, birth.year, p.student),
                health=self.health(p.age) if p.age >= SCHOOL_AGE else Health.HEALTHY, age=p.age,
                student=p.student,
            ))
        self.enforce_cause(plan, members)
        for m in members:
            m.labour_capacity = self.labour(m.age, m.health, m.student)
            m.id_number = self.id_number(m.birth_date, m.gender)
            if plan.cause == PovertyCause.LACK_SKILLS and m.labour_capacity == LabourCapacity.SKILLED:
                m.labour_capacity = LabourCapacity.ORDINARY
        if plan.attribute == HouseholdAttribute.DESTITUTE:
            for m in members:
                m.on_destitute_support = True
                if m.labour_capacity in (LabourCapacity.ORDINARY, LabourCapacity.SKILLED, LabourCapacity.WEAK):
                    m.labour_capacity = LabourCapacity.LOST
        elif plan.attribute == HouseholdAttribute.LOW_INCOME:
            covered = members if rng.random() < LOW_INCOME_ALL_MEMBERS else rng.sample(
                members, rng.randint(1, len(members)))
            for m in covered:
                m.on_low_income_support = True
        household_phone = self.phone()
        for m in members:
            if m.relation == Relation.HEAD:
                m.phone = household_phone
            elif 18 <= m.age <= 70 and rng.random() < MEMBER_PHONE_SHARE:
                m.phone = self.phone()
            if LABOUR_AGE <= m.age < 60 and rng.random() < EMPLOYEE_INSURANCE_SHARE:
                m.employee_medical_insurance, m.resident_medical_insurance = True, False
        return members, household_phone

    def enforce_cause(self, plan: HouseholdPlan, members: list[MemberRow]) -> None:
        rng = self.rng
        adults = [m for m in members if m.age >= LABOUR_AGE] or members
        if plan.cause == PovertyCause.ILLNESS and not any(
                m.health in (Health.CHRONIC, Health.SERIOUS) for m in members):
            rng.choice(adults).health = Health.SERIOUS if rng.random() < 0.4 else Health.CHRONIC
        elif plan.cause == PovertyCause.DISABILITY and not any(m.health == Health.DISABLED for m in members):
            rng.choice(members if rng.random() < 0.1 else adults).health = Health.DISABLED
        if plan.attribute == HouseholdAttribute.DESTITUTE:
            head = members[0]
            if head.age < 60 and head.health == Health.HEALTHY:
                head.health = Health.DISABLED


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _other(gender: str) -> str:
    return Gender.FEMALE if gender == Gender.MALE else Gender.MALE


def _random_gender(rng: random.Random) -> str:
    return Gender.MALE if rng.random() < 0.52 else Gender.FEMALE


# --- Writing -----------------------------------------------------------------------------------

_PLAIN_FIELDS = (models.CharField, models.BooleanField, models.IntegerField, models.ForeignKey)


class TableWriter:
    """Many rows of one model in one statement: COPY on PostgreSQL, an `executemany` INSERT elsewhere.

    `bulk_create` compiles SQL for every value of every row (~10 µs each), which for ~80,000 rows of
    17 fields is most of a minute; here each value is prepared once by its field (dates and JSON) or
    passed as it is (strings, numbers, booleans), and fields the rows do not carry get their model
    default, so the table stays correct if a field with a default is added. Rows are dicts or
    objects with attributes named by the fields' `attname`; no primary keys come back."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        qn = self.connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"

    def insert(self, rows: Sequence, *, now) -> list[dict]:
        """Insert `rows`; returns each row's Python values by attname (for the audit trail)."""
        conn = self.connection
        getters, python_rows = [], []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                getters.append((f.attname, True, now))
            else:
                getters.append((f.attname, isinstance(f, _PLAIN_FIELDS), f.get_default()))
        params = []
        for row in rows:
            get = row.get if isinstance(row, dict) else lambda name, default, row=row: getattr(row, name, default)
            values = {name: get(name, default) for name, _plain, default in getters}
            python_rows.append(values)
            params.append([_plain(values[f.attname]) if plain else f.get_db_prep_save(values[f.attname], conn)
                           for f, (_n, plain, _d) in zip(self.fields, getters, strict=True)])
        with conn.cursor() as cursor:
            raw = cursor.cursor
            if conn.vendor == "postgresql" and hasattr(raw, "copy"):  # psycopg 3: COPY, the bulk path
                with raw.copy(self.copy_sql) as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, params)
        return python_rows


def _plain(value):
    # A TextChoices member is a str, but database drivers may adapt an Enum by its name.
    return value.value if isinstance(value, enum.Enum) else value


def _json_safe(values: dict) -> dict:
    """What audit.services.snapshot() makes of a model's values: JSON types only."""
    out = {}
    for k, v in values.items():
        if isinstance(v, date):  # date and datetime
            v = v.isoformat()
        elif isinstance(v, list):
            v = [str(x) for x in v]
        elif isinstance(v, models.Choices):
            v = v.value
        out[k] = v
    return out


# --- Planning over the whole county ------------------------------------------------------------

# Other causes only where the household's data bears them out (因病 needs a sick member …).
SOFT_CAUSES = tuple(c for c in MAIN_CAUSE_SHARES if c not in (
    PovertyCause.ILLNESS, PovertyCause.DISABILITY, PovertyCause.SCHOOLING, PovertyCause.OTHER))


def _pin_sizes(counts: dict[int, int], persons: int) -> dict[int, int]:
    """Move households between adjacent sizes until the sizes add up to exactly `persons`."""
    counts = dict(counts)
    total = sum(k * n for k, n in counts.items())
    largest = max(counts)
    while total != persons:
        if total < persons:
            k = next((k for k in (2, 1, *range(3, largest)) if counts[k]), None)
            if k is None:
                break
            counts[k] -= 1
            counts[k + 1] += 1
            total += 1
        else:
            k = next((k for k in (3, 2, *range(4, largest + 1)) if counts[k]), None)
            if k is None:
                break
            counts[k] -= 1
            counts[k - 1] += 1
            total -= 1
    return counts


def _assign_sizes(rng: random.Random, causes: list, attributes: list) -> list[int]:
    n = len(causes)
    counts = _pin_sizes(apportion(HOUSEHOLD_SIZE_SHARES, n), round(n * PERSONS_PER_HOUSEHOLD))
    sizes = [0] * n

    def draw(allowed) -> int:
        keys = [k for k in allowed if counts[k]] or [k for k in counts if counts[k]]
        k = rng.choices(keys, weights=[counts[k] for k in keys])[0]
        counts[k] -= 1
        return k

    for i in range(n):
        if attributes[i] == HouseholdAttribute.DESTITUTE:
            wanted = _pick(rng, DESTITUTE_SIZE_SHARES)
            sizes[i] = draw([wanted] if counts[wanted] else list(DESTITUTE_SIZE_SHARES))
    for i in range(n):
        if sizes[i]:
            continue
        if causes[i] == PovertyCause.SCHOOLING:
            sizes[i] = draw(range(2, 8))
        elif causes[i] == PovertyCause.LACK_LABOUR:
            sizes[i] = draw(range(1, 4))
    rest = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(rest)
    it = iter(rest)
    return [s or next(it) for s in sizes]


def _assign_attributes(rng: random.Random, causes: list) -> list:
    n = len(causes)
    counts = apportion(ATTRIBUTE_SHARES, n)
    attributes = [HouseholdAttribute.GENERAL] * n
    candidates = [i for i in range(n) if causes[i] in DESTITUTE_CAUSES]
    if len(candidates) < counts[HouseholdAttribute.DESTITUTE]:
        candidates = [i for i in range(n) if causes[i] != PovertyCause.SCHOOLING]
    for i in rng.sample(candidates, min(len(candidates), counts[HouseholdAttribute.DESTITUTE])):
        attributes[i] = HouseholdAttribute.DESTITUTE
    rest = [i for i in range(n) if attributes[i] == HouseholdAttribute.GENERAL]
    for i in rng.sample(rest, min(len(rest), counts[HouseholdAttribute.LOW_INCOME])):
        attributes[i] = HouseholdAttribute.LOW_INCOME
    return attributes


def _helper_loads(rng: random.Random, households: int) -> list[int]:
    loads: list[int] = []
    left = households
    while left > 0:
        load = min(left, _pick(rng, HELPER_LOAD_WEIGHTS), HELPER_MAX_HOUSEHOLDS)
        loads.append(load)
        left -= load
    return loads


def _exit_year(rng: random.Random, registered: int) -> int:
    years = {y: w for y, w in EXIT_YEAR_SHARES.items() if y > registered} or {max(EXIT_YEAR_SHARES): 1}
    return _pick(rng, years)


def _check_county(county_code: str) -> tuple[Region, list[Region], dict[str, Region]]:
    try:
        code = normalize_code(county_code)
    except ValueError as exc:
        raise DemoError(str(exc)) from None
    county = Region.objects.filter(code=code).first()
    if county is None:
        raise DemoError(f"区划 {code[:6]} 不存在：请先运行 fupin load_regions 载入全国省市县")
    if county.level != Level.COUNTY:
        raise DemoError(f"“{county.name}”（{code}）是{county.level_label}级，请指定县级区划代码")
    low, high = subtree_range(code).as_tuple()
    villages = list(Region.objects.filter(level=Level.VILLAGE, code__range=(low, high)).order_by("code"))
    if not villages:
        raise DemoError(f"{county.name}（{code[:6]}）下还没有村级区划：请先运行 "
                        f"fupin import_regions fupin/demo/data/{code[:6]}_regions.csv")
    # gte/lte: Django allows no `range` lookup across a foreign key.
    existing = Household.objects.filter(village_id__gte=low, village_id__lte=high).count()
    if existing:
        raise DemoError(f"{county.name}已有 {existing} 户建档立卡数据，不能重复生成演示数据（请使用新的空数据库）")
    if User.objects.filter(username__startswith=f"{DEMO_CADRE_PREFIX}{code[:6]}").exists():
        raise DemoError(f"{county.name}已有演示帮扶责任人账户（{DEMO_CADRE_PREFIX}{code[:6]}…），请使用新的空数据库")
    parents = {v.parent_id for v in villages}
    townships = Region.objects.in_bulk(parents)
    return county, villages, townships


def generate_county(*, county_code: str, households: int, seed: int = 2014, as_of: date | None = None,
                    progress: Callable[[int], object] | None = None) -> dict:
    """Generate `households` demo households in the county's villages; returns the statistics.

    Raises DemoError (a CommandError, message in Chinese) if the county or its villages are not
    loaded or the county already has households. All or nothing: one transaction."""
    started = time.monotonic()
    if households < 1:
        raise DemoError("户数必须是正整数")
    as_of = as_of or date(timezone.localdate().year, 1, 1)
    with transaction.atomic():
        county, villages, townships = _check_county(county_code)
        stats = _generate(county=county, villages=villages, townships=townships, households=households,
                          seed=seed, as_of=as_of, progress=progress)
    stats["elapsed_seconds"] = round(time.monotonic() - started, 2)
    return stats


def _generate(*, county: Region, villages: Sequence[Region], townships: dict[str, Region], households: int,
              seed: int, as_of: date, progress) -> dict:
    gen = _Generator(county=county, seed=seed, as_of=as_of)
    rng = gen.rng
    n = households

    # Villages: which are poor, and how many households each holds.
    poor = {v.code for v in rng.sample(list(villages), round(len(villages) * POOR_VILLAGE_SHARE))}
    weights = {v.code: (POOR_VILLAGE_WEIGHT if v.code in poor else 1.0) * rng.uniform(*VILLAGE_WEIGHT_NOISE)
               for v in villages}
    per_village = apportion(weights, n)
    groups = {v.code: rng.randint(*GROUPS_PER_VILLAGE) for v in villages}
    width = max(3, len(str(max(per_village.values()))))

    # Household attributes over the whole county (exact shares), then sizes that fit them.
    causes = shuffled_labels(rng, MAIN_CAUSE_SHARES, n)
    attributes = _assign_attributes(rng, causes)
    sizes = _assign_sizes(rng, causes, attributes)
    statuses = shuffled_labels(rng, STATUS_SHARES, n)
    registered = shuffled_labels(rng, REGISTERED_YEAR_SHARES, n)

    # Helper cadres per township, created first so households can point at them.
    audit_rows = 0
    per_township = Counter()
    for v in villages:
        per_township[v.parent_id] += per_village[v.code]
    cadres, helper_of = [], []
    for township_code in sorted(per_township):
        loads = _helper_loads(rng, per_township[township_code])
        for i, load in enumerate(loads, start=1):
            gender = _random_gender(rng)
            birth_year = rng.randint(1965, 1998)
            user = User(username=f"{DEMO_CADRE_PREFIX}{township_code[:9]}_{i:04d}", role=Role.CADRE,
                        region_id=township_code, full_name=gen.surname() + gen.given_name(gender, birth_year),
                        phone=gen.phone(), is_active=True)
            # What set_unusable_password() stores ("!" + 40 random characters), drawn from the seeded
            # generator: Django's draws each character from the OS (~0.5 ms a cadre).
            user.password = UNUSABLE_PASSWORD_PREFIX + "".join(
                rng.choices(PASSWORD_CHARS, k=UNUSABLE_PASSWORD_SUFFIX_LENGTH))
            cadres.append(user)
            helper_of += [len(cadres) - 1] * load
    for start in range(0, len(cadres), BATCH_SIZE):
        chunk = cadres[start:start + BATCH_SIZE]
        User.objects.bulk_create(chunk)
        audit_rows += record_many(entries=[
            Entry(action=Action.CREATE, object_type="accounts.user", object_id=str(u.pk), object_repr=u.username,
                  region_code=u.region_id,
                  after={"username": u.username, "role": u.role, "region": u.region_id, "loginable": False})
            for u in chunk])

    by_cause, by_status, by_attribute = Counter(), Counter(), Counter()
    persons = 0
    household_writer, member_writer = TableWriter(Household), TableWriter(Member)
    batch: list[tuple[dict, list[MemberRow]]] = []

    def flush() -> None:
        nonlocal audit_rows, persons
        if not batch:
            return
        now = timezone.now()
        households_written = household_writer.insert([h for h, _ in batch], now=now)
        ids = dict(Household.objects.filter(household_no__in=[h["household_no"] for h, _ in batch])
                   .values_list("household_no", "id"))
        entries = []
        for (h, members), row in zip(batch, households_written, strict=True):
            row["id"] = ids[h["household_no"]]
            for m in members:
                m.household_id = row["id"]
            after = _json_safe(row)
            after["members"] = [_json_safe({f: getattr(m, f) for f in MEMBER_AUDIT_FIELDS}) for m in members]
            entries.append(Entry(action=Action.CREATE, object_type="registry.household", object_id=str(row["id"]),
                                 object_repr=f"{h['head_name']}户（{h['household_no']}）"[:200],
                                 region_code=h["village_id"], after=after))
        members = [m for _, ms in batch for m in ms]
        member_writer.insert(members, now=now)
        audit_rows += record_many(entries=entries)
        persons += len(members)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    index = 0
    for v in villages:
        township = townships[v.parent_id]
        for seq in range(1, per_village[v.code] + 1):
            status = statuses[index]
            plan = HouseholdPlan(size=sizes[index], cause=causes[index], attribute=attributes[index], status=status,
                                 registered_year=registered[index],
                                 helper_id=cadres[helper_of[index]].pk)
            members, phone = gen.members(plan)
            bank_name, account = gen.bank()
            group = CHINESE_NUMERALS[rng.randrange(groups[v.code])] + "组"
            exit_year = _exit_year(rng, plan.registered_year) if status in STATUSES_WITH_EXIT else None
            batch.append(({
                "household_no": f"{v.code}{seq:0{width}d}", "village_id": v.code, "group_name": group,
                "address": f"{county.name}{township.name}{v.name}{group}", "head_name": members[0].name,
                "phone": phone, "bank_name": bank_name, "bank_account": account,
                "identification_standard": _pick(rng, IDENTIFICATION_STANDARD_SHARES),
                "attribute": plan.attribute, "status": status, "main_cause": plan.cause,
                "other_causes": _other_causes(rng, plan, members, as_of),
                "registered_year": plan.registered_year, "exit_year": exit_year, "helper_id": plan.helper_id,
            }, members))
            by_cause[plan.cause] += 1
            by_status[status] += 1
            by_attribute[plan.attribute] += 1
            index += 1
            if len(batch) >= BATCH_SIZE:
                flush()
    flush()

    loads = Counter(helper_of)
    stats = {
        "ok": True,
        "county": county.code,
        "county_name": county.name,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "households": n,
        "persons": persons,
        "persons_per_household": round(persons / n, 3),
        "villages": len(villages),
        "villages_with_households": sum(1 for c in per_village.values() if c),
        "poor_villages": len(poor),
        "poor_village_codes": sorted(poor),
        "poor_village_households": sum(per_village[c] for c in poor),
        "cadres": len(cadres),
        "max_households_per_cadre": max(loads.values()),
        "by_cause": _breakdown(by_cause, PovertyCause, n, "cause"),
        "by_status": _breakdown(by_status, HouseholdStatus, n, "status"),
        "by_attribute": _breakdown(by_attribute, HouseholdAttribute, n, "attribute"),
    }
    audit_rows += 1
    stats["audit_rows"] = audit_rows
    summary = {k: v for k, v in stats.items() if k not in ("ok",)}
    record(entry=Entry(action=Action.IMPORT, object_type="demo.dataset", object_repr=f"生成演示数据：{county.name}",
                       region_code=county.code, after=summary))
    return stats


def _other_causes(rng: random.Random, plan: HouseholdPlan, members: list[MemberRow], as_of: date) -> list[str]:
    count = _pick(rng, OTHER_CAUSE_COUNT_SHARES)
    if not count:
        return []
    candidates = [c for c in SOFT_CAUSES if c != plan.cause]
    if any(m.health in (Health.CHRONIC, Health.SERIOUS) for m in members):
        candidates.append(PovertyCause.ILLNESS)
    if any(m.health == Health.DISABLED for m in members):
        candidates.append(PovertyCause.DISABILITY)
    if any(is_student(m, as_of=as_of) for m in members):
        candidates.append(PovertyCause.SCHOOLING)
    candidates = [c for c in candidates if c != plan.cause]
    chosen: list[str] = []
    while len(chosen) < count and candidates:
        c = rng.choices(candidates, weights=[MAIN_CAUSE_SHARES[c] for c in candidates])[0]
        candidates.remove(c)
        chosen.append(str(c.value))
    return chosen


def _breakdown(counter: Counter, choices, total: int, key: str) -> list[dict]:
    return [{key: c.value, "label": c.label, "households": counter[c], "share": round(counter[c] / total, 4)}
            for c in sorted(choices, key=lambda c: -counter[c]) if counter[c]]
