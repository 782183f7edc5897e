"""Demo department rosters (大数据比对) for a generated demo county, loaded and matched.

`generate_crosscheck_demo(county_code=..., on=..., seed=...)` runs after `generate_demo` (registry,
users, funds). It reads the county's members once and builds, for the year of the latest yearly
data, rosters as the departments would send them, mostly people who are not in the registry:

- 财政供养人员 (~5,000 rows), 车辆登记 (~12,000; some registry members with production vehicles —
  农用车, 摩托车 — that do not count, a few without a type), 商品房 (~6,000), 工商注册 (~4,000):
  together a few hundred registry members [demo];
- 死亡人员: members recorded as deceased (consistent), 6 present members (still registered), and
  members who received a payment, dead the day before it (paid after death), plus ~1,200 others;
- 学籍: every present member of compulsory-school age but 8, plus other children;
- 医疗保险: every present member but 30, plus others;
- 低保/特困: the members marked in the year data, 25 + 5 members not marked, plus others;
- 残疾人: the members marked disabled but 10, 12 of them without the subsidy, plus others;
- 大额医疗费用 and 受灾: some registry members and some others (screening data for monitoring).

Loaded through `roster_load` (the same validation and rules as an upload), as the county approver
(`demo_county`, else another active one, else a system run). Deterministic for a seed.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Max, Min

from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range
from fupin.funds.models import Disbursement
from fupin.policy.selectors import resolve_many
from fupin.regions.codes import normalize_code, subtree_range
from fupin.registry.choices import Health
from fupin.registry.models import Member, MemberYear

from .choices import DatasetKind
from .services import roster_load

OTHER_REGIONS = ("610926", "610902", "610921", "610923", "610925", "610929", "420325")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "明华建国军平伟芳娟敏静丽强磊洋艳勇杰涛超秀英兰玉梅林"
CARS = ("小型轿车", "小型普通客车", "小型越野客车", "轻型货车", "中型货车")
EXEMPT = ("农用车", "摩托车", "三轮汽车")
UNITS = ("平利县教育局", "平利县人民医院", "城关镇人民政府", "平利县财政局", "平利县公安局", "平利县中学")


def _actor(county_code: str):
    users = get_user_model().objects.filter(role=Role.COUNTY_APPROVER, region_id=county_code, is_active=True)
    return users.filter(username="demo_county").first() or users.order_by("id").first()


class _People:
    """Valid ID numbers of people who are not in the registry (none equal to a member's)."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng, self.taken = rng, taken
        # A limited set of birth dates keeps validation's region cache warm, as real data would.
        self.births = [date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 75)) for _ in range(3000)]

    def one(self, *, born_from: int | None = None, born_to: int | None = None) -> str:
        from stdnum.cn import ric

        while True:
            if born_from is not None:
                born = date(self.rng.randint(born_from, born_to), self.rng.randint(1, 12), self.rng.randint(1, 28))
            else:
                born = self.rng.choice(self.births)
            body = f"{self.rng.choice(OTHER_REGIONS)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.taken:
                self.taken.add(number)
                return number

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))


def _sample(rng: random.Random, items: list, k: int) -> list:
    return rng.sample(items, min(k, len(items)))


def generate_crosscheck_demo(*, county_code: str, on: date, seed: int) -> dict:
    code = normalize_code(county_code)
    rng = random.Random(f"{seed}:crosscheck")
    actor = _actor(code)
    in_county = in_code_range("household__village_id", subtree_range(code))
    year = (MemberYear.objects.filter(in_code_range("member__household__village_id", subtree_range(code)))
            .aggregate(y=Max("year"))["y"]) or on.year
    statuses = resolve_many(("crosscheck.checked_statuses",), year=year, region_code=code)
    checked = list(statuses["crosscheck.checked_statuses"].value)
    members = list(Member.objects.filter(in_county, household__status__in=checked).order_by("id")
                   .values("pk", "id_number", "name", "birth_date", "left_on", "left_reason"))
    taken = set(Member.objects.filter(in_county).values_list("id_number", flat=True))
    flags = {r["member_id"]: r for r in MemberYear.objects.filter(member_id__in=[m["pk"] for m in members], year=year)
             .values("member_id", "health", "on_low_income_support", "on_destitute_support")}
    present = [m for m in members if m["left_on"] is None or m["left_on"] > on]
    people = _People(rng, taken)
    base = {"actor": actor, "region_code": code, "as_of": on, "year": year}
    out: dict = {"year": year, "rosters": {}}

    def load(kind, name, department, rows):
        rng.shuffle(rows)
        roster = roster_load(kind=kind, name=name, department=department, rows=rows, **base)
        s = roster.match_summary
        out["rosters"][str(kind)] = {"id": roster.pk, "rows": roster.row_count,
                                **({"matched_members": s["matched_members"]} if "matched_members" in s else {}),
                                **{k: v["found"] for k, v in s.get("rules", {}).items()}}

    def person(m):
        return {"证件号码": m["id_number"], "姓名": m["name"]}

    def stranger(**kw):
        return {"证件号码": people.one(**kw), "姓名": people.name()}

    # 四有户 rosters: a few hundred registry members among tens of thousands of others.
    load(DatasetKind.PAYROLL, "财政供养人员名单", "县财政局",
         [{**person(m), "工作单位": rng.choice(UNITS)} for m in _sample(rng, present, 60)]
         + [{**stranger(), "工作单位": rng.choice(UNITS)} for _ in range(5000)])
    cars = _sample(rng, present, 160)
    rows = []
    for i, m in enumerate(cars):
        kind = EXEMPT[i % 3] if i < 50 else ("" if i < 60 else rng.choice(CARS))
        rows.append({**person(m), "车辆类型": kind, "号牌号码": f"陕G{rng.randrange(10000, 99999)}"})
    rows += [{**stranger(), "车辆类型": rng.choice(CARS + EXEMPT), "号牌号码": f"陕G{rng.randrange(10000, 99999)}"}
             for _ in range(12000)]
    load(DatasetKind.VEHICLE, "机动车登记信息", "县公安局交警大队", rows)
    load(DatasetKind.HOUSING, "商品房网签备案", "县住建局",
         [{**person(m), "房屋坐落": f"城关镇{rng.randint(1, 30)}号楼"} for m in _sample(rng, present, 80)]
         + [{**stranger(), "房屋坐落": f"城关镇{rng.randint(1, 30)}号楼"} for _ in range(6000)])
    load(DatasetKind.BUSINESS, "市场主体登记信息", "县市场监管局",
         [{**person(m), "企业名称": f"平利县{people.name()}商贸有限公司"} for m in _sample(rng, present, 60)]
         + [{**stranger(), "企业名称": f"平利县{people.name()}经营部"} for _ in range(4000)])

    # Deaths: consistent records, a few still registered, and payments after death.
    dead = [m for m in members if m["left_reason"] == "deceased" and m["left_on"] and m["left_on"] <= on]
    rows = [{**person(m), "死亡日期": m["left_on"].isoformat()} for m in dead]
    still = _sample(rng, present, 6)
    rows += [{**person(m), "死亡日期": (on - timedelta(days=rng.randint(10, 300))).isoformat()} for m in still]
    by_id = {m["id_number"]: m for m in members}
    paid = (Disbursement.objects.filter(in_code_range("location_code", subtree_range(code)), paid_on__lte=on)
            .exclude(payee_id_number="").values("payee_id_number").annotate(first=Min("paid_on"))
            .order_by("payee_id_number"))
    paid_members = [p for p in paid if p["payee_id_number"] in by_id and by_id[p["payee_id_number"]] not in still]
    for p in _sample(rng, paid_members, 3):
        rows.append({**person(by_id[p["payee_id_number"]]), "死亡日期": (p["first"] - timedelta(days=1)).isoformat()})
    rows += [{**stranger(), "死亡日期": (on - timedelta(days=rng.randint(1, 2000))).isoformat()} for _ in range(1200)]
    load(DatasetKind.DEATH, "死亡人员信息", "县公安局、民政局", rows)

    # 学籍: compulsory-school-age members but 8.
    ages = resolve_many(("exit.compulsory_school_age_from", "exit.compulsory_school_age_to"), year=year,
                        region_code=code)
    low, high = int(ages["exit.compulsory_school_age_from"].value), int(ages["exit.compulsory_school_age_to"].value)
    children = [m for m in present if low <= year - m["birth_date"].year <= high]
    missing = {m["pk"] for m in _sample(rng, children, 8)}
    load(DatasetKind.SCHOOL, "学籍信息", "县教育局",
         [{**person(m), "学校": "平利县城关小学"} for m in children if m["pk"] not in missing]
         + [{**stranger(born_from=year - high, born_to=year - low), "学校": "平利县城关中学"} for _ in range(3000)])

    # 医疗保险: everyone present but 30.
    missing = {m["pk"] for m in _sample(rng, present, 30)}
    load(DatasetKind.MEDICAL_INSURANCE, "城乡居民基本医疗保险参保信息", "县医保局",
         [{**person(m), "参保类型": "城乡居民"} for m in present if m["pk"] not in missing]
         + [{**stranger(), "参保类型": "城乡居民"} for _ in range(5000)])

    # 低保/特困: those marked, plus some not marked.
    marked_low = [m for m in present if flags.get(m["pk"], {}).get("on_low_income_support")]
    marked_des = [m for m in present if flags.get(m["pk"], {}).get("on_destitute_support")]
    unmarked = [m for m in present if m["pk"] in flags and not flags[m["pk"]]["on_low_income_support"]
                and not flags[m["pk"]]["on_destitute_support"]]
    extra = _sample(rng, unmarked, 30)
    load(DatasetKind.LOW_INCOME, "低保和特困供养对象", "县民政局",
         [{**person(m), "救助类型": "农村低保"} for m in marked_low + extra[:25]]
         + [{**person(m), "救助类型": "特困供养"} for m in marked_des + extra[25:]]
         + [{**stranger(), "救助类型": rng.choice(("农村低保", "城市低保", "特困供养"))} for _ in range(2000)])

    # 残疾人: the disabled members but 10; 12 without the subsidy.
    disabled = [m for m in present if flags.get(m["pk"], {}).get("health") == Health.DISABLED]
    missing = {m["pk"] for m in _sample(rng, disabled, 10)}
    listed = [m for m in disabled if m["pk"] not in missing]
    no_subsidy = {m["pk"] for m in _sample(rng, listed, 12)}
    load(DatasetKind.DISABILITY, "残疾人基础信息", "县残联",
         [{**person(m), "残疾类别": rng.choice(("肢体", "视力", "听力", "智力")),
           "享受残疾人补贴": "否" if m["pk"] in no_subsidy else "是"} for m in listed]
         + [{**stranger(), "残疾类别": "肢体", "享受残疾人补贴": rng.choice(("是", "否"))} for _ in range(1500)])

    # Screening data for return-to-poverty monitoring, dated within the year up to the as-of day.
    def day() -> str:
        return (on - timedelta(days=rng.randint(0, on.timetuple().tm_yday - 1))).isoformat()

    load(DatasetKind.MEDICAL_EXPENSE, "大额医疗费用患者", "县医保局",
         [{**person(m), "自付费用": str(rng.randint(8000, 90000)), "就诊医院": "安康市中心医院", "结算日期": day()}
          for m in _sample(rng, present, 40)]
         + [{**stranger(), "自付费用": str(rng.randint(8000, 90000)), "就诊医院": "平利县人民医院", "结算日期": day()}
            for _ in range(300)])
    load(DatasetKind.DISASTER, "受灾和意外事故人员", "县应急管理局",
         [{**person(m), "事件类型": rng.choice(("洪涝", "滑坡", "意外事故")), "损失金额": str(rng.randint(3000, 60000)),
           "发生日期": day()} for m in _sample(rng, present, 30)]
         + [{**stranger(), "事件类型": "洪涝", "损失金额": str(rng.randint(3000, 60000)), "发生日期": day()}
            for _ in range(200)])
    out["rows"] = sum(r["rows"] for r in out["rosters"].values())
    out["suspects"] = sum(v for r in out["rosters"].values() for k, v in r.items()
                          if k not in ("id", "rows", "matched_members"))
    return out
