"""Scoped reads of the cross-check data. Views, API and CLI read rosters and suspects only through here.

- Rosters: those whose covered region lies in the user's scope (cadres see none).
- Suspects: those of villages in the user's scope (cadres see none: a suspect is an audit finding,
  not a visit task).
- Roster rows are other departments' data about people who are mostly not in the registry: only users
  who may run cross-checks see them, with ID numbers masked unless the role sees them in lists.
"""

from django.db.models import Count, Q, QuerySet

from fupin.accounts.masking import mask_dict, mask_id_number, may_see_personal
from fupin.accounts.roles import Cap, role_has
from fupin.accounts.scope import in_code_range, require, scoped, scoped_get
from fupin.regions.codes import subtree_range

from .choices import SuspectStatus
from .models import Roster, RosterRow, Suspect
from .rules import RULES, rule_title, rules_for

ROSTER_SCOPE = {"region_field": "region_code"}
SUSPECT_SCOPE = {"region_field": "village_code"}


def rosters_visible_to(user) -> QuerySet[Roster]:
    return scoped(Roster.objects.all(), user, **ROSTER_SCOPE)


def roster_list(user, *, region_code: str | None = None, kind: str | None = None) -> QuerySet[Roster]:
    qs = rosters_visible_to(user).select_related("uploaded_by")
    if region_code:
        qs = qs.filter(in_code_range("region_code", subtree_range(region_code)))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-uploaded_at", "-id")


def roster_access(user, pk, *, need: str | None = None) -> Roster:
    return scoped_get(Roster.objects.select_related("uploaded_by"), user, pk=pk, need=need, **ROSTER_SCOPE)


def may_see_rows(user) -> bool:
    return role_has(user.role, Cap.RUN_CROSSCHECK)


def roster_rows(user, roster: Roster, *, limit: int = 100) -> list[dict]:
    """The first rows of a roster (personal data of non-registry persons): RUN_CROSSCHECK only."""
    require(user, Cap.RUN_CROSSCHECK)
    full = may_see_personal(user, in_list=True)
    return [{"row_no": r.row_no, "id_number": r.id_number if full else mask_id_number(r.id_number), "name": r.name,
             "data": r.data, "event_date": r.event_date, "category": r.category}
            for r in RosterRow.objects.filter(roster_id=roster.pk).order_by("row_no")[:limit]]


def suspects_visible_to(user) -> QuerySet[Suspect]:
    return scoped(Suspect.objects.all(), user, **SUSPECT_SCOPE)


def suspect_list(user, *, region_code: str | None = None, rule: str | None = None, status: str | None = None,
                 roster_id: int | None = None, household_id: int | None = None) -> QuerySet[Suspect]:
    qs = suspects_visible_to(user).select_related("roster", "roster_row", "household", "member")
    if region_code:
        qs = qs.filter(in_code_range("village_code", subtree_range(region_code)))
    if rule:
        qs = qs.filter(rule=rule)
    if status:
        qs = qs.filter(status=status)
    if roster_id:
        qs = qs.filter(roster_id=roster_id)
    if household_id:
        qs = qs.filter(household_id=household_id)
    return qs.order_by("village_code", "household_id", "rule", "id")


def suspect_access(user, pk, *, need: str | None = None, for_update: bool = False) -> Suspect:
    return scoped_get(Suspect.objects.select_related("roster", "roster_row", "household", "member"), user, pk=pk,
                      need=need, for_update=for_update, **SUSPECT_SCOPE)


def rule_counts(user, *, region_code: str | None = None, roster_id: int | None = None) -> list[dict]:
    """Per rule: total and by status, for the suspects the user sees (one query)."""
    qs = suspect_list(user, region_code=region_code, roster_id=roster_id).order_by()
    rows = {r["rule"]: r for r in qs.values("rule").annotate(
        total=Count("id"), new=Count("id", filter=Q(status=SuspectStatus.NEW)),
        dismissed=Count("id", filter=Q(status=SuspectStatus.DISMISSED)),
        ledger=Count("id", filter=Q(status=SuspectStatus.LEDGER)))}
    out = []
    for rule in RULES:
        r = rows.get(rule.code, {})
        out.append({"rule": rule.code, "title": rule.title, "kind": rule.kind, "description": rule.description,
                    "total": r.get("total", 0), "new": r.get("new", 0), "dismissed": r.get("dismissed", 0),
                    "ledger": r.get("ledger", 0)})
    return out


def suspect_data(user, s: Suspect, *, in_list: bool = True) -> dict:
    """A suspect for display: ID numbers in the inputs masked per role; roster row fields included."""
    member = s.member
    idn = member.id_number if member else ""
    return {
        "id": s.pk, "rule": s.rule, "rule_title": rule_title(s.rule), "status": s.status,
        "status_label": s.get_status_display(), "status_note": s.status_note, "reason": s.reason, "year": s.year,
        "roster_id": s.roster_id, "roster_name": s.roster.name, "roster_kind": s.roster.kind,
        "household_id": s.household_id, "household_no": s.household.household_no,
        "head_name": s.household.head_name, "village_code": s.village_code,
        "member_id": s.member_id, "member_name": member.name if member else "",
        "id_number": idn if may_see_personal(user, in_list=in_list) else mask_id_number(idn),
        "roster_row_no": s.roster_row.row_no if s.roster_row else None,
        "roster_row_data": s.roster_row.data if s.roster_row else {},
        "inputs": mask_dict(s.inputs, user=user, in_list=in_list), "found_at": s.found_at,
    }


def roster_data(roster: Roster) -> dict:
    return {"id": roster.pk, "kind": roster.kind, "kind_label": roster.get_kind_display(), "name": roster.name,
            "department": roster.department, "region_code": roster.region_code, "as_of": roster.as_of,
            "year": roster.year or roster.as_of.year, "file_name": roster.file_name, "sha256": roster.sha256,
            "row_count": roster.row_count, "columns": roster.columns, "matched_at": roster.matched_at,
            "match_summary": roster.match_summary,
            "uploaded_by": roster.uploaded_by.username if roster.uploaded_by else "",
            "uploaded_at": roster.uploaded_at,
            "rules": [{"rule": r.code, "title": r.title, "description": r.description} for r in rules_for(roster.kind)]}


def household_crosscheck_context(user, household) -> dict:
    """The household page's section: the suspects about this household the user may see."""
    suspects = list(suspect_list(user, household_id=household.pk)[:50])
    return {"crosscheck_section": {
        "suspects": [suspect_data(user, s, in_list=False) for s in suspects],
        "open": sum(1 for s in suspects if s.status == SuspectStatus.NEW),
        "may_dismiss": role_has(user.role, Cap.RUN_CROSSCHECK),
        "may_ledger": role_has(user.role, Cap.MANAGE_LEDGER),
    }}
