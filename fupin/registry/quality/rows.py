"""The querysets the rules start from, and the column aliases every rule's rows carry.

Only members without `left_on` count: a member who left (死亡, 婚出, 分户 …) is no longer in the
household. Every base queryset restricts households with `household_id IN (SELECT id …)` over
the queryset handed to the run, so one rule is one query whatever the number of households.
"""

from functools import cache

from django.db.models import F, QuerySet

from ..models import Household, HouseholdYear, Member, MemberYear


def household_ids(households: QuerySet) -> QuerySet:
    """The checked households as a one-column subquery (their annotations and order dropped)."""
    return households.order_by().values("pk")


def households_of(households: QuerySet) -> QuerySet[Household]:
    return Household.objects.filter(pk__in=household_ids(households))


def active_members(households: QuerySet) -> QuerySet[Member]:
    return Member.objects.filter(left_on__isnull=True, household__in=household_ids(households))


def active_member_years(households: QuerySet, year: int) -> QuerySet[MemberYear]:
    # `member_id IN (current members)` rather than a join condition on the household: it lets
    # SQLite (without ANALYZE statistics) start from the households instead of scanning the year.
    return MemberYear.objects.filter(year=year, member__in=active_members(households).order_by().values("pk"))


def household_years(households: QuerySet, year: int) -> QuerySet[HouseholdYear]:
    return HouseholdYear.objects.filter(year=year, household__in=household_ids(households))


@cache
def _labels(choices) -> dict:
    return {code: str(text) for code, text in choices.choices}


def label(choices, value) -> str:
    """The Chinese label of a coded value; an unknown code (bad import) is shown as it is."""
    return _labels(choices).get(value, value or "（空）")


# Column aliases: h_id, h_no, h_head, v_code (household) and m_id, m_name (member), per base model.
def _household_aliases(path: str) -> dict:
    return {"h_id": F(f"{path}pk" if not path else f"{path}id"), "h_no": F(f"{path}household_no"),
            "h_head": F(f"{path}head_name"), "v_code": F(f"{path}village_id")}


HOUSEHOLD_ALIASES = _household_aliases("")
HOUSEHOLD_YEAR_ALIASES = _household_aliases("household__")
MEMBER_ALIASES = {**_household_aliases("household__"), "m_id": F("pk"), "m_name": F("name")}
MEMBER_YEAR_HOUSEHOLD_ALIASES = _household_aliases("member__household__")
MEMBER_YEAR_ALIASES = {**MEMBER_YEAR_HOUSEHOLD_ALIASES, "m_id": F("member_id"), "m_name": F("member__name")}
