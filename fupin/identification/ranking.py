"""Income-ranked screening (按收入倒排) of a village's applicants for a round.

The identification cases of the round that are not rejected (open or completed), ranked by
per-capita income ascending (equal incomes share a rank: 1, 2, 2, 4). Each row says:
- under_line: income strictly BELOW the poverty line resolved for the year and village (a province
  may set a higher line); income exactly at the line is not under it;
- within_quota: under the line and ranked within the village quota (识别规模) set by the county;
  None when no quota is set; rows tied at the cut are all within, and the ranking says so;
- borderline (临界户): |income − line| ≤ identification.borderline_ratio × line — to verify closely.
The policy rows used and the quota come with the result, so every mark can be explained.
One query for the cases, one for the policy rows, one for the quota.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from fupin.policy.selectors import Resolved, resolve_many
from fupin.regions.codes import Level
from fupin.regions.selectors import region_access

from .choices import CaseState, Procedure
from .models import Case, VillageQuota
from .selectors import cases_visible_to, village_quota_get


@dataclass(frozen=True)
class RankingRow:
    case: Case
    rank: int
    per_capita_income: Decimal
    gap: Decimal  # income − line (negative: below the line)
    under_line: bool
    within_quota: bool | None
    borderline: bool

    def as_dict(self) -> dict:
        c = self.case
        return {"case_id": c.pk, "head_name": c.head_name, "group_name": c.group_name,
                "household_size": c.household_size, "state": c.state, "current_step": c.current_step,
                "rank": self.rank, "per_capita_income": str(self.per_capita_income), "gap": str(self.gap),
                "under_line": self.under_line, "within_quota": self.within_quota, "borderline": self.borderline}


@dataclass(frozen=True)
class Ranking:
    village_code: str
    village_name: str
    year: int
    poverty_line: Resolved
    borderline_ratio: Resolved
    quota: VillageQuota | None
    rows: list[RankingRow]

    @property
    def line(self) -> Decimal:
        return Decimal(str(self.poverty_line.value))

    @property
    def under_line_count(self) -> int:
        return sum(r.under_line for r in self.rows)

    @property
    def within_quota_count(self) -> int:
        return sum(bool(r.within_quota) for r in self.rows)

    @property
    def borderline_count(self) -> int:
        return sum(r.borderline for r in self.rows)

    @property
    def ties_at_cut(self) -> bool:
        """More households within the quota than the quota, because of equal incomes at the cut."""
        return self.quota is not None and self.within_quota_count > self.quota.quota

    def as_dict(self) -> dict:
        return {
            "village": {"code": self.village_code, "name": self.village_name}, "year": self.year,
            "poverty_line": self.poverty_line.explain(), "borderline_ratio": self.borderline_ratio.explain(),
            "borderline_band": [str(self.line - self.band), str(self.line + self.band)],
            "quota": None if self.quota is None else {"quota": self.quota.quota, "set_by": self.quota.set_by_name,
                                                      "set_at": self.quota.set_at.isoformat()},
            "counts": {"applicants": len(self.rows), "under_line": self.under_line_count,
                       "within_quota": self.within_quota_count, "borderline": self.borderline_count},
            "ties_at_cut": self.ties_at_cut,
            "rows": [r.as_dict() for r in self.rows],
        }

    @property
    def band(self) -> Decimal:
        return (self.line * Decimal(str(self.borderline_ratio.value))).quantize(Decimal("0.01"))


def income_ranking(user, *, village_code: str, year: int) -> Ranking:
    """The ranking of a village's applicants for a round (404 if the village is out of scope)."""
    village = region_access(user, village_code)
    if village.level != Level.VILLAGE:
        raise ValidationError({"village": [f"“{village.name}”不是行政村：按收入倒排以行政村为单位"]})
    policy = resolve_many(["poverty_line", "identification.borderline_ratio"], year=year, region_code=village.code)
    line = Decimal(str(policy["poverty_line"].value))
    band = line * Decimal(str(policy["identification.borderline_ratio"].value))
    quota = village_quota_get(user, village_code=village.code, year=year)
    cases = (cases_visible_to(user).filter(procedure=Procedure.IDENTIFICATION, year=year, village_id=village.code)
             .exclude(state=CaseState.REJECTED).order_by("per_capita_income", "id")
             .only("id", "head_name", "group_name", "household_size", "per_capita_income", "state", "current_step",
                   "current_index", "steps", "village_id", "year", "procedure"))
    rows: list[RankingRow] = []
    previous, rank = None, 0
    for position, case in enumerate(cases, 1):
        income = case.per_capita_income if case.per_capita_income is not None else Decimal("0.00")
        if income != previous:
            rank, previous = position, income
        under = income < line
        within = None if quota is None else (under and rank <= quota.quota)
        rows.append(RankingRow(case=case, rank=rank, per_capita_income=income, gap=income - line, under_line=under,
                               within_quota=within, borderline=abs(income - line) <= band))
    return Ranking(village_code=village.code, village_name=village.name, year=year,
                   poverty_line=policy["poverty_line"], borderline_ratio=policy["identification.borderline_ratio"],
                   quota=quota, rows=rows)
