"""Alkire-Foster multidimensional poverty (多维贫困, AF method) over the registry's indicators.

Each household i has a deprivation (0/1) in each indicator j; with weights w_j summing to 1 its
deprivation score is c_i = Σ_j w_j·d_ij. It is multidimensionally poor when c_i ≥ k. With p_i its
persons (家庭人口数), N = Σ p_i and q = Σ p_i over the poor:

    H  = q / N                              (headcount ratio, 多维贫困发生率)
    A  = Σ_poor p_i·c_i / q                 (average intensity among the poor, 平均剥夺份额)
    M0 = H × A = Σ_poor p_i·c_i / N         (adjusted headcount ratio, 多维贫困指数)
    CH_j = Σ_poor p_i·d_ij / N              (censored headcount ratio of indicator j)
    M0 = Σ_j w_j·CH_j, so the contribution of j is w_j·CH_j / M0 (contributions sum to 100 %)
    M0 = Σ_r (N_r / N)·M0_r over groups r (regions): the contribution of r is (N_r/N)·M0_r / M0.

Indicators, weights and k are policy data (`measures.af.indicators`, `measures.af.k`); the codes
an indicator may have are those in INDICATOR_CODES, each computed by `deprivations` from the
household's year row and its members' year rows. All arithmetic is exact (Fraction): a weight
or k may be written as a fraction ("1/6"), so c_i = 1/3 ≥ k = 1/3 holds exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.exceptions import ValidationError

from fupin.registry.choices import Education, Health, SchoolStatus

from .fgt import exact

INDICATORS_KEY = "measures.af.indicators"
K_KEY = "measures.af.k"

# code → what deprivation in it means (shown on the page, in the API and the CLI).
INDICATOR_CODES = {
    "education": "年满 min_age 岁（默认16岁，按当年12月31日计）且有年度数据的成员中，没有一人文化程度达到初中及以上",
    "school_attendance": "有义务教育适龄（exit.compulsory_school_age_from–to 岁）成员为非在校生或义务教育阶段失学辍学",
    "health": "有成员健康状况为患有大病",
    "medical_insurance": "有成员既未参加城乡居民基本医疗保险也未参加城镇职工基本医疗保险",
    "housing": "住房危房等级属于 exit.unsafe_danger_grades（默认C、D级）且未易地扶贫搬迁",
    "drinking_water": "饮水不安全或饮水困难",
    "sanitation": "没有卫生厕所",
    "electricity": "未通生活用电",
}
JUNIOR_OR_ABOVE = frozenset({Education.JUNIOR, Education.SENIOR, Education.VOCATIONAL, Education.COLLEGE})
DEFINITION = ("每户按各指标是否被剥夺（0/1）计算加权剥夺得分 c = Σ 权重 × 剥夺；c ≥ k 的户识别为多维贫困。"
              "H = 多维贫困人口 ÷ 总人口；A = 多维贫困人口的平均剥夺得分；M0 = H × A。"
              "删减后贫困发生率 CH_j = 多维贫困且在指标 j 被剥夺的人口 ÷ 总人口；指标贡献率 = 权重 × CH_j ÷ M0。"
              "成员指标只看有当年成员年度数据的成员（缺少数据的不计为被剥夺）。")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    dimension: str
    weight: Fraction
    weight_text: str
    params: dict

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "dimension": self.dimension, "weight": self.weight_text,
                "weight_value": round(float(self.weight), 6), "definition": INDICATOR_CODES[self.code],
                "params": self.params}


def _fraction(value, what: str) -> Fraction:
    try:
        result = exact(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValidationError(f"{what}“{str(value)[:30]}”不是数值（可写小数或分数，如 0.25 或 \"1/6\"）") from None
    return result


def parse_k(value) -> Fraction:
    k = _fraction(value, "临界值 k")
    if not 0 < k <= 1:
        raise ValidationError(f"临界值 k 应大于 0 且不超过 1，现为 {value}")
    return k


def parse_indicators(value) -> list[Indicator]:
    """The policy value as Indicators; a ValidationError naming the bad entry otherwise."""
    if not isinstance(value, list) or not value:
        raise ValidationError("多维贫困指标应为非空列表，每项为 {code, label, dimension, weight}")
    result, seen = [], set()
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValidationError(f"第 {n} 项指标应为对象 {{code, label, dimension, weight}}")
        code = item.get("code")
        if code not in INDICATOR_CODES:
            raise ValidationError(f"第 {n} 项指标代码“{str(code)[:30]}”无效，可选：{'、'.join(INDICATOR_CODES)}")
        if code in seen:
            raise ValidationError(f"第 {n} 项指标代码“{code}”重复")
        seen.add(code)
        for name in ("label", "dimension"):
            if not isinstance(item.get(name), str) or not item[name].strip():
                raise ValidationError(f"第 {n} 项指标（{code}）缺少 {name}（名称、维度应为非空文本）")
        if "weight" not in item:
            raise ValidationError(f"第 {n} 项指标（{code}）缺少 weight（权重）")
        weight = _fraction(item["weight"], f"第 {n} 项指标（{code}）的权重")
        if weight <= 0:
            raise ValidationError(f"第 {n} 项指标（{code}）的权重应大于 0，现为 {item['weight']}")
        params = {k: v for k, v in item.items() if k not in ("code", "label", "dimension", "weight")}
        if code == "education":
            age = params.get("min_age", 16)
            if isinstance(age, bool) or not isinstance(age, int) or not 6 <= age <= 100:
                raise ValidationError(f"第 {n} 项指标（education）的 min_age 应为 6–100 之间的整数")
        result.append(Indicator(code, item["label"].strip(), item["dimension"].strip(), weight,
                                str(item["weight"]).strip(), params))
    total = sum((i.weight for i in result), Fraction(0))
    if total != 1:
        raise ValidationError(f"多维贫困指标的权重之和应为 1，现为 {total}（{float(total):.6f}）；"
                              "不能整除的权重请写成分数，如 \"1/6\"")
    return result


# --- Deprivations of one household ------------------------------------------------------------

def deprivations(hy: dict, members: list[dict], *, indicators: list[Indicator], school_ages: tuple[int, int],
                 unsafe_grades: Iterable[str]) -> frozenset[str]:
    """The codes of `indicators` in which the household is deprived.

    `hy`: the household-year columns (danger_grade, relocated, drinking_water_safe,
    drinking_water_difficult, sanitary_toilet, living_electricity); `members`: current members with
    `age` (on 31 December) and `year` (their member-year columns, or None when missing)."""
    with_data = [m for m in members if m["year"] is not None]
    low, high = school_ages
    unsafe = set(unsafe_grades)
    out = set()
    for ind in indicators:
        code = ind.code
        if code == "education":
            adults = [m for m in with_data if m["age"] >= ind.params.get("min_age", 16)]
            deprived = bool(adults) and not any(m["year"]["education"] in JUNIOR_OR_ABOVE for m in adults)
        elif code == "school_attendance":
            deprived = any(low <= m["age"] <= high and (m["year"]["school_status"] == SchoolStatus.NOT_STUDENT
                                                        or m["year"]["dropout"]) for m in with_data)
        elif code == "health":
            deprived = any(m["year"]["health"] == Health.SERIOUS for m in with_data)
        elif code == "medical_insurance":
            deprived = any(not (m["year"]["resident_medical_insurance"] or m["year"]["employee_medical_insurance"])
                           for m in with_data)
        elif code == "housing":
            deprived = (hy["danger_grade"] or "") in unsafe and not hy["relocated"]
        elif code == "drinking_water":
            deprived = not hy["drinking_water_safe"] or hy["drinking_water_difficult"]
        elif code == "sanitation":
            deprived = not hy["sanitary_toilet"]
        elif code == "electricity":
            deprived = not hy["living_electricity"]
        else:  # pragma: no cover - parse_indicators refuses unknown codes
            raise ValueError(code)
        if deprived:
            out.add(code)
    return frozenset(out)


# --- The measures ---------------------------------------------------------------------------

def score(deprived: Iterable[str], indicators: list[Indicator]) -> Fraction:
    """c_i = Σ w_j over the indicators the household is deprived in."""
    deprived = set(deprived)
    return sum((i.weight for i in indicators if i.code in deprived), Fraction(0))


@dataclass
class AfSums:
    indicators: list[Indicator]
    k: Fraction
    households: int = 0
    persons: int = 0
    poor_households: int = 0
    poor_persons: int = 0
    intensity: Fraction = field(default_factory=Fraction)  # Σ_poor p·c
    censored: dict[str, int] = field(default_factory=dict)  # Σ_poor p·d_j
    uncensored: dict[str, int] = field(default_factory=dict)  # Σ p·d_j

    def add(self, weight: int, deprived: Iterable[str]) -> None:
        deprived = set(deprived)
        c = score(deprived, self.indicators)
        self.households += 1
        self.persons += weight
        poor = c >= self.k
        for ind in self.indicators:
            if ind.code in deprived:
                self.uncensored[ind.code] = self.uncensored.get(ind.code, 0) + weight
                if poor:
                    self.censored[ind.code] = self.censored.get(ind.code, 0) + weight
        if poor:
            self.poor_households += 1
            self.poor_persons += weight
            self.intensity += weight * c

    def merge(self, other: AfSums) -> None:
        for name in ("households", "persons", "poor_households", "poor_persons", "intensity"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.censored, other.censored), (self.uncensored, other.uncensored)):
            for code, n in theirs.items():
                mine[code] = mine.get(code, 0) + n

    @property
    def H(self) -> Fraction | None:  # noqa: N802 - the method's own symbol
        return Fraction(self.poor_persons, self.persons) if self.persons else None

    @property
    def A(self) -> Fraction | None:  # noqa: N802
        return self.intensity / self.poor_persons if self.poor_persons else None

    @property
    def M0(self) -> Fraction | None:  # noqa: N802
        return self.intensity / self.persons if self.persons else None

    def censored_ratio(self, code: str) -> Fraction | None:
        return Fraction(self.censored.get(code, 0), self.persons) if self.persons else None

    def uncensored_ratio(self, code: str) -> Fraction | None:
        return Fraction(self.uncensored.get(code, 0), self.persons) if self.persons else None

    def contribution(self, code: str) -> Fraction | None:
        """w_j·CH_j / M0 (None when M0 is 0 or the population empty)."""
        m0 = self.M0
        if not m0:
            return None
        weight = next(i.weight for i in self.indicators if i.code == code)
        return weight * self.censored_ratio(code) / m0


def af_sums(rows: Iterable[tuple], *, indicators: list[Indicator], k) -> AfSums:
    """`rows` of (persons, deprived indicator codes)."""
    sums = AfSums(indicators, exact(k))
    for weight, deprived in rows:
        sums.add(weight, deprived)
    return sums


@dataclass
class AfGroup:
    group: Hashable
    sums: AfSums
    share: Fraction | None  # N_r / N
    contribution: Fraction | None  # (N_r / N)·M0_r / M0


def decompose(rows: Iterable[tuple], *, indicators: list[Indicator], k) -> tuple[AfSums, list[AfGroup]]:
    """`rows` of (group, persons, deprived codes): the total and each group's share and contribution."""
    k = exact(k)
    total, by_group = AfSums(indicators, k), {}
    for group, weight, deprived in rows:
        by_group.setdefault(group, AfSums(indicators, k)).add(weight, deprived)
    for sums in by_group.values():
        total.merge(sums)
    groups = []
    for group, sums in by_group.items():
        share = Fraction(sums.persons, total.persons) if total.persons else None
        m0 = total.M0
        contribution = share * sums.M0 / m0 if m0 and share is not None and sums.M0 is not None else None
        groups.append(AfGroup(group, sums, share, contribution))
    return total, groups
