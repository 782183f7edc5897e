"""Crafted households covering every edge of the household exit assessment, with the indicators
each one must fail. Shared by the exits tests and the benchmark's reference-SQL test."""

from datetime import date
from decimal import Decimal

from fupin.conftest import YEAR, make_household, make_id_number
from fupin.policy.services import policy_set
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

PROVINCE = "610000000000"
LONGTOU, SANLIYA, XINGLONG = "610926100001", "610926100002", "610926101001"  # 城关镇, 城关镇, 兴隆镇


def member(h: Household, name: str, birth: date, *, year_row: bool = True, school_status: str = "primary",
           dropout: bool = False, resident: bool = True, employee: bool = False, left_on: date | None = None) -> Member:
    m = Member.objects.create(household=h, name=name, id_number=make_id_number(birth, 50 + h.pk % 40), gender="M",
                              birth_date=birth, relation="son", left_on=left_on,
                              left_reason="married_out" if left_on else "")
    if year_row:
        MemberYear.objects.create(member=m, year=YEAR, school_status=school_status, dropout=dropout,
                                  resident_medical_insurance=resident, employee_medical_insurance=employee)
    return m


def year_row(h: Household, **changes) -> None:
    HouseholdYear.objects.filter(household=h, year=YEAR).update(**changes)


def build_cases() -> dict[str, set[str]]:
    """Household number → the indicators it must fail in YEAR (after the overrides below).

    Policy overrides: 陕西省 raises the line to 4500; 兴隆镇 raises it again to 4800 and counts
    compulsory age up to 16; 城关镇 counts only D as unsafe housing."""
    policy_set(actor=None, key="poverty_line", region_code=PROVINCE, year_from=YEAR, value=4500, source="省定")
    policy_set(actor=None, key="poverty_line", region_code="610926101000", year_from=YEAR, value=4800, source="镇定")
    policy_set(actor=None, key="exit.compulsory_school_age_to", region_code="610926101000", year_from=YEAR, value=16,
               source="镇定")
    policy_set(actor=None, key="exit.unsafe_danger_grades", region_code="610926100000", year_from=YEAR, value=["D"],
               source="镇定")
    expected: dict[str, set[str]] = {}
    seq = iter(range(1, 1000))

    def household(village: str, fails: set[str], *, income=Decimal("6000"), members=1, **kwargs) -> Household:
        no = f"{village}{next(seq):03d}"
        expected[no] = fails
        return make_household(no, village, income=income, members=members, head=f"户{no[-3:]}", **kwargs)

    household(LONGTOU, set(), members=2)                             # head and a son of 14 in junior school
    household(LONGTOU, set(), status="exited")                      # every status is assessed by the job
    household(LONGTOU, {"income"}, income=Decimal("4500"))          # exactly the provincial line
    household(LONGTOU, set(), income=Decimal("4500.01"))
    household(XINGLONG, {"income"}, income=Decimal("4700"))         # above 陕西's line, not 兴隆镇's
    household(XINGLONG, set(), income=Decimal("4800.01"))
    # Missing year rows: the household's (four indicators) and a member's (education, medical).
    household(SANLIYA, {"income", "two_no_worries", "housing", "water", "medical"}, year=YEAR - 1)
    h = household(LONGTOU, {"education", "medical"})
    member(h, "缺数据", date(YEAR - 10, 5, 1), year_row=False)
    # Compulsory age on 31 December: 6 and 15 count, 5 and 16 do not (兴隆镇: up to 16).
    for birth, fails, village in [(date(YEAR - 6, 12, 31), {"education"}, LONGTOU),
                                  (date(YEAR - 5, 1, 1), set(), LONGTOU),
                                  (date(YEAR - 15, 1, 1), {"education"}, LONGTOU),
                                  (date(YEAR - 16, 12, 31), set(), LONGTOU),
                                  (date(YEAR - 16, 12, 31), {"education"}, XINGLONG),
                                  (date(YEAR - 17, 12, 31), set(), XINGLONG)]:
        member(household(village, fails), "适龄", birth, school_status="not_student")
    member(household(LONGTOU, {"education"}), "辍学", date(YEAR - 12, 3, 1), dropout=True)
    member(household(LONGTOU, set()), "学前", date(YEAR - 6, 3, 1), school_status="preschool")
    member(household(LONGTOU, {"medical"}), "未参保", date(1990, 1, 1), school_status="not_student", resident=False)
    member(household(LONGTOU, set()), "职工医保", date(1990, 1, 1), school_status="not_student", resident=False,
           employee=True)
    # Members who left before 31 December (or on it) do not count; one leaving after it still does.
    member(household(LONGTOU, set()), "婚出", date(YEAR - 10, 1, 1), school_status="not_student", resident=False,
           left_on=date(YEAR, 6, 1))
    member(household(LONGTOU, {"medical"}), "年后婚出", date(1990, 1, 1), resident=False,
           left_on=date(YEAR + 1, 1, 10))
    member(household(LONGTOU, set()), "年末婚出", date(1990, 1, 1), resident=False, left_on=date(YEAR, 12, 31))
    # Born after 31 December: not yet a member for YEAR (no year row, would fail medical otherwise).
    member(household(LONGTOU, set()), "新生儿", date(YEAR + 1, 1, 5), year_row=False)
    # Nobody left in the household at the end of the year.
    h = household(LONGTOU, {"medical"})
    Member.objects.filter(household=h).update(left_on=date(YEAR, 3, 1), left_reason="deceased")
    # Housing: C is unsafe in 兴隆镇 (national C, D) but not in 城关镇 (D only); relocation makes it safe.
    for village, grade, relocated, fails in [(XINGLONG, "C", False, {"housing"}), (LONGTOU, "C", False, set()),
                                             (LONGTOU, "D", False, {"housing"}), (LONGTOU, "D", True, set()),
                                             (XINGLONG, "A", False, set()), (XINGLONG, "", False, set())]:
        year_row(household(village, fails), danger_grade=grade, relocated=relocated)
    year_row(household(SANLIYA, {"two_no_worries"}), food_secure=False)
    year_row(household(SANLIYA, {"two_no_worries"}), clothing_secure=False)
    year_row(household(SANLIYA, {"water"}), drinking_water_safe=False)
    year_row(household(SANLIYA, {"water"}), drinking_water_difficult=True)
    year_row(household(SANLIYA, {"income", "water"}, income=Decimal("100")), drinking_water_safe=False)
    return expected
