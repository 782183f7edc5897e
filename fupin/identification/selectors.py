"""Scoped reads of procedure cases, notices, objections, attachments and quotas.

Every read for a user goes through `fupin.accounts.scope` on the case's (or notice's) village code:
out of scope is 404. A helper cadre sees the exit cases of their paired households only. Public
notices (公示公告, readable without login) are read by the `public_*` functions, which return only
what a posted paper notice shows.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from fupin.accounts.scope import in_code_range, scoped, scoped_get
from fupin.regions.codes import Level, subtree_range

from .choices import CaseState, Procedure, StepKind
from .engine import steps_from_snapshot
from .models import Attachment, Case, CaseStep, Notice, NoticeEntry, Objection, VillageQuota

CASE_SCOPE = {"region_field": "village_id", "cadre_field": "household__helper_id"}
CHILD_SCOPE = {"region_field": "case__village_id", "cadre_field": "case__household__helper_id"}
NOTICE_SCOPE = {"region_field": "village_id"}


# --- Cases -------------------------------------------------------------------------------------

def cases_visible_to(user) -> QuerySet[Case]:
    return scoped(Case.objects.all(), user, **CASE_SCOPE)


def case_list(user, *, region_code: str | None = None, procedure: str | None = None, state: str | None = None,
              step: str | None = None, year: int | None = None, q: str | None = None) -> QuerySet[Case]:
    """Cases in the user's scope, filtered; `step` is the code of the step a case is waiting at,
    `q` the beginning of the head's name. Newest round first, then village and case number."""
    qs = cases_visible_to(user).select_related("village")
    if region_code:
        qs = qs.filter(in_code_range("village_id", subtree_range(region_code)))
    if procedure:
        qs = qs.filter(procedure=procedure)
    if state:
        qs = qs.filter(state=state)
    if step:
        qs = qs.filter(current_step=step, state=CaseState.OPEN)
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(head_name__startswith=q)
    return qs.order_by("-year", "village_id", "id")


def case_access(user, pk, *, for_update: bool = False, need: str | None = None) -> Case:
    """The gate for one case: 404 outside the user's scope, 403 without capability `need`."""
    qs = Case.objects.all() if for_update else Case.objects.select_related("village", "household")
    return scoped_get(qs, user, pk=pk, for_update=for_update, need=need, **CASE_SCOPE)


def case_step_records(user, case: Case) -> list[CaseStep]:
    """The steps done of a case opened through `case_access`, in order, with their attachments."""
    qs = scoped(CaseStep.objects.filter(case_id=case.pk), user, **CHILD_SCOPE)
    return list(qs.select_related("notice").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))).order_by("index"))


def case_objections(user, case: Case) -> QuerySet[Objection]:
    return scoped(Objection.objects.filter(case_id=case.pk), user, **CHILD_SCOPE).select_related(
        "notice").order_by("id")


def case_notices(user, case: Case) -> QuerySet[NoticeEntry]:
    """The notices a case has been printed on (entries, with their notice)."""
    return scoped(NoticeEntry.objects.filter(case_id=case.pk), user, **CHILD_SCOPE).select_related(
        "notice").order_by("notice__published_on", "id")


def case_timeline(user, case: Case) -> list[dict]:
    """Every configured step of the case with what happened at it: done (its record), current,
    pending, or skipped because the case ended before it. Two queries."""
    records = {r.index: r for r in case_step_records(user, case)}
    rows = []
    for i, step in enumerate(steps_from_snapshot(case.steps)):
        record = records.get(i)
        if record is not None:
            status = "done" if record.decision in ("approved", "passed") else "ended"
        elif case.state == CaseState.OPEN and i == case.current_index:
            status = "current"
        elif case.state == CaseState.OPEN:
            status = "pending"
        else:
            status = "not_reached"
        rows.append({"index": i, "step": step, "record": record, "status": status})
    return rows


def cases_waiting_at(user, *, village_code: str, procedure: str, year: int, step_code: str) -> QuerySet[Case]:
    """Open cases of a village waiting at a notice or announcement step and not yet on a notice
    for it: the ones a publisher may choose."""
    listed = NoticeEntry.objects.filter(case_id=OuterRef("pk"), step_code=step_code)
    return (cases_visible_to(user).filter(village_id=village_code, procedure=procedure, year=year,
                                          state=CaseState.OPEN, current_step=step_code)
            .filter(~Exists(listed)).order_by("per_capita_income", "id"))


def publishable_steps(user, *, village_code: str, year: int | None = None) -> list[dict]:
    """Notice and announcement steps at which open cases of a village are waiting unlisted, with
    counts: one row per (procedure, year, step). One query over the village's open cases."""
    listed = NoticeEntry.objects.filter(case_id=OuterRef("pk"), step_code=OuterRef("current_step"))
    qs = cases_visible_to(user).filter(village_id=village_code, state=CaseState.OPEN).filter(~Exists(listed))
    if year:
        qs = qs.filter(year=year)
    groups: dict[tuple, dict] = {}
    for procedure, case_year, index, steps in qs.values_list("procedure", "year", "current_index", "steps"):
        step = steps_from_snapshot(steps)[index]
        if step.kind not in (StepKind.NOTICE, StepKind.ANNOUNCEMENT):
            continue
        row = groups.setdefault((procedure, case_year, step.code), {
            "procedure": procedure, "procedure_label": Procedure(procedure).label, "year": case_year,
            "step": step, "count": 0})
        row["count"] += 1
    return sorted(groups.values(), key=lambda r: (-r["year"], r["procedure"], r["step"].code))


def case_step_counts(user, *, region_code: str, procedure: str | None = None,
                     year: int | None = None) -> list[dict]:
    """How many cases wait at each step (open) or ended (rejected / completed), per procedure and
    year, under a region. One grouped query."""
    qs = cases_visible_to(user).filter(in_code_range("village_id", subtree_range(region_code)))
    if procedure:
        qs = qs.filter(procedure=procedure)
    if year:
        qs = qs.filter(year=year)
    rows = (qs.values("procedure", "year", "state", "current_step").annotate(n=Count("id"))
            .order_by("procedure", "-year", "state", "current_step"))
    return list(rows)


# --- Notices and objections ----------------------------------------------------------------

def notices_visible_to(user) -> QuerySet[Notice]:
    return scoped(Notice.objects.all(), user, **NOTICE_SCOPE)


def notice_list(user, *, region_code: str | None = None, procedure: str | None = None,
                year: int | None = None) -> QuerySet[Notice]:
    qs = notices_visible_to(user).select_related("village").annotate(
        entry_count=Count("entries", distinct=True),
        open_objections=Count("objections", filter=Q(objections__outcome=""), distinct=True))
    if region_code:
        qs = qs.filter(in_code_range("village_id", subtree_range(region_code)))
    if procedure:
        qs = qs.filter(procedure=procedure)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-published_on", "-id")


def notice_access(user, pk, *, for_update: bool = False) -> Notice:
    qs = Notice.objects.all() if for_update else Notice.objects.select_related("village")
    return scoped_get(qs, user, pk=pk, for_update=for_update, **NOTICE_SCOPE)


def notice_entries(user, notice: Notice) -> QuerySet[NoticeEntry]:
    """The cases printed on a notice opened through `notice_access`, with each case's state."""
    return scoped(NoticeEntry.objects.filter(notice_id=notice.pk), user, region_field="case__village_id").select_related(
        "case").order_by("position")


def notice_objections(user, notice: Notice) -> QuerySet[Objection]:
    return scoped(Objection.objects.filter(notice_id=notice.pk), user, region_field="case__village_id").select_related(
        "case").order_by("id")


def objection_access(user, pk, *, for_update: bool = False) -> Objection:
    qs = Objection.objects.all() if for_update else Objection.objects.select_related("notice", "case")
    return scoped_get(qs, user, pk=pk, for_update=for_update, region_field="case__village_id")


def attachment_access(user, pk) -> Attachment:
    return scoped_get(Attachment.objects.select_related("case", "step"), user, pk=pk, **CHILD_SCOPE)


# --- Quotas --------------------------------------------------------------------------------------

def village_quota_get(user, *, village_code: str, year: int) -> VillageQuota | None:
    return scoped(VillageQuota.objects.filter(village_id=village_code, year=year), user,
                  region_field="village_id").first()


def village_quotas(user, *, region_code: str, year: int, limit: int = 1000) -> list[dict]:
    """Villages under a region (in the user's scope) with their quota for the year and how many
    identification cases they have in the round (open or completed). Three queries."""
    from fupin.regions.models import Region

    rng = subtree_range(region_code)
    villages = list(scoped(Region.objects.filter(in_code_range("code", rng), level=Level.VILLAGE), user,
                           region_field="code").select_related("parent").order_by("code")[:limit])
    codes = [v.code for v in villages]
    quotas = {q.village_id: q for q in VillageQuota.objects.filter(village_id__in=codes, year=year)}
    counts = dict(Case.objects.filter(village_id__in=codes, year=year, procedure=Procedure.IDENTIFICATION)
                  .exclude(state=CaseState.REJECTED).values("village_id").annotate(n=Count("id"))
                  .values_list("village_id", "n"))
    return [{"village": v, "quota": quotas.get(v.code), "cases": counts.get(v.code, 0)} for v in villages]


# --- Public notices (公示公告): no login; only what the paper notice shows -----------------------

PUBLIC_FIELDS = ("id", "village_id", "procedure", "year", "step_code", "step_name", "step_kind", "title", "issuer",
                 "starts_on", "ends_on", "days", "objection_contact", "note", "show_income", "published_on")


def public_notice_list(*, region_code: str | None = None, procedure: str | None = None) -> QuerySet[Notice]:
    qs = Notice.objects.select_related("village", "village__parent").only(
        *PUBLIC_FIELDS, "village__name", "village__parent__name", "village__parent_id")
    if region_code:
        qs = qs.filter(in_code_range("village_id", subtree_range(region_code)))
    if procedure:
        qs = qs.filter(procedure=procedure)
    return qs.annotate(entry_count=Count("entries")).order_by("-published_on", "-id")


def public_notice(pk) -> Notice:
    try:
        return Notice.objects.select_related("village", "village__parent").only(
            *PUBLIC_FIELDS, "village__name", "village__level", "village__parent__name", "village__parent_id").get(pk=int(pk))
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该公示公告") from None


def public_notice_entries(notice: Notice) -> QuerySet[NoticeEntry]:
    """What was printed: names, masked ID numbers, group, size, per-capita income (if shown), cause."""
    return NoticeEntry.objects.filter(notice_id=notice.pk).only(
        "position", "head_name", "id_number_masked", "group_name", "household_size", "per_capita_income",
        "main_cause").order_by("position")
