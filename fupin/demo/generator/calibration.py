"""What the demo data is calibrated on (DOMAIN.md §Calibration, §Standards) and what is chosen.

Demo and benchmark data, not policy: every share is a named constant here, and only here.
[v] confirmed in DOMAIN.md, [local] seen in local practice only, [demo] our assumption for plausible data.
"""

from bisect import bisect
from collections.abc import Mapping
from itertools import accumulate

from fupin.registry.choices import (
    DangerGrade,
    Fuel,
    HouseholdAttribute,
    HouseholdStatus,
    HousingStructure,
    IdentificationStandard,
    LabourSkill,
    PovertyCause,
)


class Shares(dict):
    """Weights of a draw, fixed once made: keeps what `random.choices` would recompute each time."""

    def __init__(self, shares: dict):
        super().__init__(shares)
        self.options = list(self)
        self.cumulative = list(accumulate(self.values()))

    def draw(self, rng):
        # As rng.choices(options, weights)[0] draws it.
        return self.options[bisect(self.cumulative, rng.random() * self.cumulative[-1], 0, len(self.options) - 1)]


# --- County size and villages -----------------------------------------------------------------

# 平利县 (610926): 23,035 households, 57,568 persons, 90 poor villages [v].
REFERENCE_HOUSEHOLDS = 23_035
REFERENCE_PERSONS = 57_568
PERSONS_PER_HOUSEHOLD = REFERENCE_PERSONS / REFERENCE_HOUSEHOLDS
REFERENCE_POOR_VILLAGES = 90
REFERENCE_VILLAGES = 137
POOR_VILLAGE_SHARE = REFERENCE_POOR_VILLAGES / REFERENCE_VILLAGES
POOR_VILLAGE_WEIGHT = 3.0  # [demo] households in a poor village relative to another village
VILLAGE_WEIGHT_NOISE = (0.6, 1.4)  # [demo]
GROUPS_PER_VILLAGE = (3, 8)  # 村民小组 per village [demo]

# Households per helper cadre [demo]: 1–10, mean ≈ 4.9; nobody is paired with more than 10.
HELPER_MAX_HOUSEHOLDS = 10
HELPER_LOAD_WEIGHTS = Shares({1: 5, 2: 7, 3: 9, 4: 12, 5: 14, 6: 11, 7: 8, 8: 5, 9: 3, 10: 2})

# Shape of the household-size distribution [demo]; the mean is then pinned to PERSONS_PER_HOUSEHOLD.
HOUSEHOLD_SIZE_SHARES = {1: 0.26, 2: 0.34, 3: 0.18, 4: 0.12, 5: 0.06, 6: 0.03, 7: 0.01}

# --- Households ---------------------------------------------------------------------------------

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
OTHER_CAUSE_COUNT_SHARES = Shares({0: 0.35, 1: 0.45, 2: 0.20})
# Other causes only where the household's data bears them out (因病 needs a sick member …).
SOFT_CAUSES = tuple(c for c in MAIN_CAUSE_SHARES if c not in (
    PovertyCause.ILLNESS, PovertyCause.DISABILITY, PovertyCause.SCHOOLING, PovertyCause.OTHER))

ATTRIBUTE_SHARES = {  # [demo]
    HouseholdAttribute.GENERAL: 0.70,
    HouseholdAttribute.LOW_INCOME: 0.25,
    HouseholdAttribute.DESTITUTE: 0.05,
}
# 特困供养 goes to households whose main cause leaves them without labour [demo].
DESTITUTE_CAUSES = (PovertyCause.LACK_LABOUR, PovertyCause.DISABILITY, PovertyCause.ILLNESS)
DESTITUTE_SIZE_SHARES = Shares({1: 0.8, 2: 0.2})  # [demo]
# Share of 低保 households with every member covered; otherwise the head and some others [demo].
LOW_INCOME_ALL_MEMBERS = 0.6

IDENTIFICATION_STANDARD_SHARES = Shares({  # [demo]
    IdentificationStandard.NATIONAL: 0.95,
    IdentificationStandard.PROVINCIAL: 0.05,
})

# --- Time line (status per year) ----------------------------------------------------------------

REGISTERED_YEAR_SHARES = {2014: 0.80, 2015: 0.12, 2016: 0.08}  # [demo]
EXIT_YEAR_SHARES = {2016: 0.15, 2017: 0.25, 2018: 0.30, 2019: 0.20, 2020: 0.10}  # [demo]
STATUS_SHARES = {  # [demo] status at the end of the time line (Household.status)
    HouseholdStatus.EXITED: 0.956,
    HouseholdStatus.MONITORED: 0.025,
    HouseholdStatus.RETURNED: 0.005,
    HouseholdStatus.REMOVED: 0.005,  # 清退/剔除: wrongly filed
    HouseholdStatus.CANCELLED: 0.004,  # 自然减少: an elderly person living alone died
    HouseholdStatus.NOT_EXITED: 0.005,
}
STATUSES_WITH_EXIT = (HouseholdStatus.EXITED, HouseholdStatus.MONITORED, HouseholdStatus.RETURNED)
# 防止返贫监测 began in 2020 [v]: monitored and returned households change status that year.
MONITORING_YEAR = 2020
# 已清退 households were removed in the dynamic adjustments after registration (识别不精准) [demo].
LAST_REMOVAL_YEAR = 2018
# 已销户 households (自然减少) are one-person households whose member, aged this or more, died [demo].
NATURAL_DECREASE_AGE = (78, 92)
EVENT_ACTOR = "demo"  # actor_name of the status events and frozen_by_name of the year freezes

# The years the demo can generate (建档立卡 2014 to the end of the campaign, 2020) [demo].
DEMO_YEARS = range(2014, 2021)


class PovertyLines(Mapping):
    """The poverty line of each demo year, read from the policy table (`poverty_line`, with any
    provincial override for the demo county) the first time it is needed — the demo's incomes
    follow the rules in force rather than a copy of them."""

    def __init__(self) -> None:
        self.region_code = "000000000000"
        self._values: dict[int, int] | None = None

    def use_region(self, region_code: str) -> None:
        self.region_code, self._values = region_code, None

    def _load(self) -> dict[int, int]:
        if self._values is None:
            from fupin.policy.selectors import resolve

            self._values = {y: int(resolve("poverty_line", year=y, region_code=self.region_code).value)
                            for y in DEMO_YEARS}
        return self._values

    def __getitem__(self, year: int) -> int:
        return self._load()[year]

    def __iter__(self):
        return iter(DEMO_YEARS)

    def __len__(self) -> int:
        return len(DEMO_YEARS)


POVERTY_LINE = PovertyLines()
DEFAULT_YEARS = "2019-2020"

# --- Income (per-capita net income as a multiple of the year's line) ---------------------------

# Per status of the household in that year: (lowest, median, highest, log-sd) [demo]. Exited
# households sit well above the line, 监测户 between it and 1.5×, 未脱贫/返贫 below it; 已清退
# households were removed as not poor; 已销户 households have no data from the year they ceased.
# The bounds keep ≥ 2 % between a household and the line.
INCOME_BANDS = {
    HouseholdStatus.EXITED: (1.10, 2.00, 5.00, 0.22),
    HouseholdStatus.MONITORED: (1.03, 1.25, 1.47, 0.12),
    HouseholdStatus.NOT_EXITED: (0.45, 0.80, 0.97, 0.14),
    HouseholdStatus.RETURNED: (0.45, 0.80, 0.97, 0.14),
    HouseholdStatus.REMOVED: (2.00, 2.80, 4.50, 0.15),
}
BELOW_LINE = frozenset({HouseholdStatus.NOT_EXITED, HouseholdStatus.RETURNED})
INCOME_PERSISTENCE = 0.8  # correlation of a household's income rank from one year to the next [demo]
# Wage share of net income where members work away: a household's income follows its wages [demo].
MIGRANT_WAGE_SHARE = (0.55, 0.80)
# Highest wage share by attribute (低保/特困 live mainly on transfers) [demo].
MAX_WAGE_SHARE = {HouseholdAttribute.GENERAL: 0.85, HouseholdAttribute.LOW_INCOME: 0.35,
                  HouseholdAttribute.DESTITUTE: 0.0}
BELOW_LINE_WAGE_SHARE = 0.70
# What is left after migrant wages, split (local wage, business net, property, transfer) [demo].
INCOME_SPLIT = {
    "destitute": (0.00, 0.12, 0.03, 0.85),
    "low_income": (0.08, 0.22, 0.03, 0.67),
    "migrants": (0.08, 0.52, 0.05, 0.35),
    "general": (0.22, 0.45, 0.05, 0.28),
}
INCOME_SPLIT_NOISE = (0.6, 1.4)
NO_PROPERTY_INCOME_SHARE = 0.4
BUSINESS_COST_RATIO = (0.20, 0.45)  # 生产经营费用 / 生产经营性收入
POLICY_SUBSIDY_RATIO = {"support": (0.85, 1.0), "other": (0.50, 0.95)}  # of 转移性收入
# 合规自付支出 (medical out of pocket) per household and year by its sickest member [demo].
# 健康扶贫 capped what poor patients paid themselves, so the amounts stay small.
OUT_OF_POCKET = {"serious": (1000, 6000), "chronic": (200, 1500), "disabled": (0, 800), "healthy": (0, 300)}

# --- Work (务工) --------------------------------------------------------------------------------

# Where members work away, with the monthly wage range (yuan, 2019) [demo].
WORK_PLACES = (
    ("平利县", 0.22, (1600, 2600)),
    ("安康市", 0.13, (1800, 3000)),
    ("西安市", 0.12, (2400, 3800)),
    ("浙江省宁波市", 0.09, (3000, 4800)),
    ("浙江省杭州市", 0.05, (3200, 5000)),
    ("江苏省苏州市", 0.11, (3000, 4600)),
    ("广东省东莞市", 0.08, (2900, 4500)),
    ("广东省深圳市", 0.04, (3400, 5200)),
    ("湖北省十堰市", 0.05, (2500, 3800)),
    ("上海市", 0.04, (3400, 5200)),
    ("北京市", 0.03, (3400, 5200)),
    ("新疆维吾尔自治区", 0.04, (3000, 5000)),
)
WORK_PLACE_SHARES = Shares({place: share for place, share, _wages in WORK_PLACES})
WAGE_GROWTH = 0.06  # nominal wage growth per year [demo]
# Chance a member able to work works away: (16–50, 51–59, weak labour); lower in a year below the line.
MIGRANT_SHARES = (0.55, 0.35, 0.12)
BELOW_LINE_MIGRANT_FACTOR = 0.6
WORK_MONTHS = {"above": (6, 11), "below": (2, 6)}
MIN_MONTHLY_WAGE = 800
SKILLS = Shares({LabourSkill.TECHNICIAN: 0.35, LabourSkill.CRAFT: 0.30, LabourSkill.DRIVER: 0.25, LabourSkill.OTHER: 0.10})

# --- Members ------------------------------------------------------------------------------------

# Health of members by age band (chronic, serious, disabled) before causes are enforced [demo].
HEALTH_BY_AGE = ((40, (0.03, 0.01, 0.02)), (60, (0.10, 0.03, 0.04)), (200, (0.22, 0.05, 0.06)))
DISABILITY_GRADE_SHARES = Shares({"1": 0.15, "2": 0.25, "3": 0.30, "4": 0.30})  # [demo]
# 残疾类别 of the 残疾人证号 (ID number + category + grade): 视力, 听力, 言语, 肢体, 智力, 精神, 多重.
DISABILITY_CATEGORY_SHARES = Shares({"1": 0.12, "2": 0.12, "3": 0.03, "4": 0.48, "5": 0.10, "6": 0.10, "7": 0.05})
ETHNICITY_SHARES = Shares({"汉族": 0.990, "土家族": 0.006, "回族": 0.002, "苗族": 0.002})  # [demo]
EMPLOYEE_INSURANCE_SHARE = 0.005  # [demo] the rest are in 城乡居民基本医疗保险
PENSION_INSURANCE_SHARE = 0.92  # [demo] adults (not students) in 城乡居民基本养老保险
MEMBER_PHONE_SHARE = 0.5  # [demo] adults 18–70 with their own phone

SCHOOL_AGE = 6  # from here a child is in school (小学); below: 学龄前儿童
KINDERGARTEN_AGE = 3  # 学前教育 from here
KINDERGARTEN_SHARE = 0.85  # [demo]
LABOUR_AGE = 16  # below: 无劳动力, and in school (no dropouts by 2019–2020 [demo])
NO_LABOUR_AGE = 75  # from here: 无劳动力
STUDENT_MAX_AGE = 22
# Age at which a young member leaves school: after 初中 (16), 高中/中职 (19), 高职高专 (22), 本科 (23) [demo].
LEAVE_SCHOOL_AGE_SHARES = Shares({16: 0.25, 19: 0.40, 22: 0.20, 23: 0.15})
VOCATIONAL_TRACK_SHARE = 0.3  # 中职 rather than 普通高中 [demo]

# Members who leave during the years (Member.left_on/left_reason), per year at risk [demo]:
# elderly relatives (75+) die, daughters and granddaughters (20–32) marry out. Heads never leave.
DECEASE_RATE = 0.06
MARRY_OUT_RATE = 0.06

# --- Housing and living conditions --------------------------------------------------------------

RELOCATED_SHARE = 0.05  # 易地扶贫搬迁 [demo]
RELOCATION_YEARS = Shares({2016: 0.25, 2017: 0.35, 2018: 0.30, 2019: 0.10})  # [demo]
RELOCATION_AREA_PER_PERSON = 25  # m² per person, the relocation standard [local]
# Share of households whose house was 危房 (C/D) until it was rebuilt — by the exit year, and by
# 2020 at the latest, so C/D appear only in early years and only while the household is not exited.
DANGEROUS_HOUSE_SHARE = 0.15
DANGER_GRADE_SHARES = Shares({DangerGrade.C: 0.6, DangerGrade.D: 0.4})
SAFE_GRADE_SHARES = Shares({DangerGrade.A: 0.75, DangerGrade.B: 0.25})
# (structure, share, years built) of houses that were never 危房 [demo].
HOUSE_TYPES = (
    (HousingStructure.EARTH_WOOD, 0.30, (1975, 1995)),
    (HousingStructure.BRICK_WOOD, 0.30, (1985, 2005)),
    (HousingStructure.BRICK_CONCRETE, 0.36, (1995, 2016)),
    (HousingStructure.REINFORCED, 0.04, (2005, 2016)),
)
HOUSE_AREA = (50, 170)  # m² [demo]
UNSAFE_WATER_SHARE = 0.12  # until the exit year (or 2020) [demo]
# Year the access road was hardened (None: never) [demo].
ROAD_HARDENED_YEARS = Shares({2012: 0.30, 2016: 0.15, 2017: 0.15, 2018: 0.15, 2019: 0.12, 2020: 0.08, None: 0.05})
TOILET_YEARS = Shares({2012: 0.35, 2017: 0.10, 2018: 0.10, 2019: 0.10, 2020: 0.15, None: 0.20})  # 卫生厕所 [demo]
FUELS = Shares({Fuel.FIREWOOD: 0.55, Fuel.ELECTRICITY: 0.22, Fuel.GAS: 0.10, Fuel.COAL: 0.10, Fuel.OTHER: 0.03})
PRODUCTION_ELECTRICITY_SHARE = 0.92
COOPERATIVE_SHARE = (0.25, 0.05)  # in 2019, and added per year [demo]
