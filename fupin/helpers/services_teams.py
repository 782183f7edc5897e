"""State changes of village work teams (驻村工作队) and their members.

Rules: one stationed team per village at a time; a team is created with its first secretary
(第一书记) and keeps exactly one while it is stationed — a new secretary replaces the current one
on the day they start (`replace=True`), and the secretary cannot simply be ended while the team
stays (end the team, or register the successor); at most one team leader (队长) at a time; a
person is on one team at a time; a member's period lies inside the team's; a registered poor
person (建档立卡人口) cannot be a team member. Dates are half-open ([start, end)).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from fupin.accounts.masking import mask_id_number
from fupin.accounts.models import User
from fupin.accounts.scope import code_in_scope, scoped_get
from fupin.audit.services import Action, entry_for, record, record_many, snapshot

from . import inputs
from .checks import clean_id_number, refuse_registered_person
from .models import TeamRole, WorkTeam, WorkTeamMember
from .rights import require_manage
from .services import VILLAGE_SCOPE, overlapping, unit_for_writing, village_for_writing

MEMBER_SCOPE = {"region_field": "team__village_id"}
SINGLE_ROLES = (TeamRole.SECRETARY, TeamRole.LEADER)


def _member_fields(actor, data: dict, *, default_start) -> dict:
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    steps = {
        "name": lambda: inputs.text(data, "name", label="姓名", max_length=50, required=True),
        "role": lambda: inputs.choice(data, "role", TeamRole, label="职务"),
        "id_number": lambda: clean_id_number(data.get("id_number")),
        "phone": lambda: inputs.phone(data, "phone"),
        "work_unit": lambda: inputs.text(data, "work_unit", label="工作单位及职务", max_length=100),
        "start": lambda: inputs.day(data.get("start") or default_start, name="start", label="开始日期"),
        "user_id": lambda: inputs.pk(data.get("user_id"), name="user_id", label="系统账户", required=False),
    }
    for name, step in steps.items():
        try:
            fields[name] = step()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if fields["user_id"] is not None:
        user = User.objects.filter(pk=fields["user_id"], is_active=True).first()
        if user is None or not code_in_scope(actor, user.region_id):
            raise ValidationError({"user_id": ["系统账户不存在、已停用或不在您的管辖范围内"]})
    return fields


def _add_member(actor, team: WorkTeam, fields: dict, *, replace: bool, reason: str) -> WorkTeamMember:
    start = fields["start"]
    if start < team.start:
        raise ValidationError({"start": [f"开始日期 {start} 早于工作队进驻日期 {team.start}"]})
    if team.end is not None and start >= team.end:
        raise ValidationError({"start": [f"开始日期 {start} 不早于工作队撤离日期 {team.end}"]})
    role_label = TeamRole(fields["role"]).label
    refuse_registered_person(fields["id_number"], on=start, who=f"{role_label}“{fields['name']}”")
    elsewhere = (overlapping(WorkTeamMember.objects.filter(id_number=fields["id_number"]), start, team.end)
                 .select_related("team__village").first())
    if elsewhere is not None:
        raise ValidationError({"id_number": [
            f"身份证号码 {mask_id_number(fields['id_number'])} 的“{elsewhere.name}”已是{elsewhere.team.village.name}"
            f"驻村工作队的{elsewhere.get_role_display()}（{elsewhere.start} 起）：同一时间只能在一个工作队"]})
    entries = []
    if fields["role"] in SINGLE_ROLES:
        holder = (overlapping(team.members.select_for_update().filter(role=fields["role"]), start, team.end)
                  .order_by("start").first())
        if holder is not None:
            if not replace:
                raise ValidationError({"role": [
                    f"该工作队已有{role_label}“{holder.name}”（{holder.start} 起）：请选择“更换”，"
                    f"原{role_label}的任职在新任开始之日结束"]})
            if start <= holder.start:
                raise ValidationError({"start": [f"开始日期 {start} 应晚于原{role_label}的开始日期 {holder.start}"]})
            if not reason:
                raise ValidationError({"reason": [f"更换{role_label}须填写原因"]})
            holder.end, holder.end_reason = start, reason[:200]
            holder.save(update_fields=["end", "end_reason"])
            entries.append(entry_for(holder, action=Action.UPDATE, region_code=team.village_id,
                                     before={"end": None, "end_reason": ""},
                                     after={"end": start.isoformat(), "end_reason": holder.end_reason}))
    member = WorkTeamMember.objects.create(team=team, **fields)
    entries.append(entry_for(member, action=Action.CREATE, region_code=team.village_id, after=snapshot(member)))
    record_many(actor=actor, entries=entries)
    return member


@transaction.atomic
def team_create(*, actor, village_code: str, start, secretary: dict, unit_id=None) -> WorkTeam:
    """Station a work team in a village from `start`, with its first secretary (`secretary`: name,
    id_number, phone, work_unit, optional user_id and start). `unit_id`: the dispatching unit."""
    village = village_for_writing(actor, village_code, lock=True)
    unit = unit_for_writing(actor, unit_id) if unit_id not in (None, "") else None
    start = inputs.day(start, name="start", label="进驻日期")
    clash = overlapping(WorkTeam.objects.select_for_update().filter(village=village), start, None).first()
    if clash is not None:
        raise ValidationError({"start": [f"{village.name}已有驻村工作队（{clash.start} 起{_until(clash)}）：请先撤离原工作队"]})
    fields = _member_fields(actor, {**secretary, "role": TeamRole.SECRETARY}, default_start=start)
    team = WorkTeam.objects.create(village=village, unit=unit, start=start)
    record(actor=actor, entry=entry_for(team, action=Action.CREATE, region_code=village.code, after=snapshot(team)))
    _add_member(actor, team, fields, replace=False, reason="")
    return team


def _until(row) -> str:
    return f"至 {row.end}" if row.end else "，未撤离"


def team_for_writing(actor, team_id) -> WorkTeam:
    pk = inputs.pk(team_id, name="team", label="驻村工作队")
    team = scoped_get(WorkTeam.objects.select_related("village", "unit"), actor, pk=pk, for_update=True,
                      **VILLAGE_SCOPE)
    require_manage(actor)
    return team


@transaction.atomic
def team_member_add(*, actor, team_id: int, data: dict, replace: bool = False, reason: str = "") -> WorkTeamMember:
    """Add a member (`data`: name, role 第一书记/队长/队员, id_number, phone, work_unit, start, user_id).
    A new 第一书记 or 队长 while one is in office needs `replace=True` and a reason: the current one's
    term then ends on the day the new one starts."""
    team = team_for_writing(actor, team_id)
    fields = _member_fields(actor, data, default_start=None)
    return _add_member(actor, team, fields, replace=replace, reason=(reason or "").strip())


@transaction.atomic
def team_member_end(*, actor, member_id: int, end, reason: str) -> WorkTeamMember:
    """End a member's term. The first secretary of a team that stays cannot just leave: register
    the successor (team_member_add with replace=True) or end the whole team."""
    pk = inputs.pk(member_id, name="member", label="工作队员")
    member = scoped_get(WorkTeamMember.objects.select_related("team", "team__village"), actor, pk=pk,
                        for_update=True, **MEMBER_SCOPE)
    require_manage(actor)
    if member.end is not None:
        raise ValidationError({"end": [f"该队员的任职已于 {member.end} 结束"]})
    end = inputs.day(end, name="end", label="结束日期")
    inputs.end_after(member.start, end)
    team = member.team
    if team.end is not None and end > team.end:
        raise ValidationError({"end": [f"结束日期 {end} 晚于工作队撤离日期 {team.end}"]})
    if member.role == TeamRole.SECRETARY and (team.end is None or end < team.end):
        raise ValidationError({"end": ["驻村工作队不能没有第一书记：请登记新的第一书记（更换），或撤离整个工作队"]})
    reason = inputs.text({"reason": reason}, "reason", label="结束原因", max_length=200, required=True)
    member.end, member.end_reason = end, reason
    member.save(update_fields=["end", "end_reason"])
    record(actor=actor, entry=entry_for(member, action=Action.UPDATE, region_code=team.village_id,
                                        before={"end": None, "end_reason": ""},
                                        after={"end": end.isoformat(), "end_reason": reason}))
    return member


@transaction.atomic
def team_end(*, actor, team_id: int, end, reason: str) -> WorkTeam:
    """Withdraw a team (撤离) on `end`: every member still in office leaves on the same day."""
    team = team_for_writing(actor, team_id)
    if team.end is not None:
        raise ValidationError({"end": [f"该工作队已于 {team.end} 撤离"]})
    end = inputs.day(end, name="end", label="撤离日期")
    inputs.end_after(team.start, end, what="撤离日期", start_label="进驻日期")
    reason = inputs.text({"reason": reason}, "reason", label="撤离原因", max_length=200, required=True)
    late = team.members.filter(start__gte=end).first()
    if late is not None:
        raise ValidationError({"end": [f"队员“{late.name}”{late.start} 才开始任职，撤离日期应晚于该日"]})
    team.end, team.end_reason = end, reason
    team.save(update_fields=["end", "end_reason"])
    entries = [entry_for(team, action=Action.UPDATE, region_code=team.village_id, before={"end": None},
                         after={"end": end.isoformat(), "end_reason": reason})]
    staying = list(team.members.select_for_update().filter(Q(end__isnull=True) | Q(end__gt=end)))
    for m in staying:
        entries.append(entry_for(m, action=Action.UPDATE, region_code=team.village_id,
                                 before={"end": m.end.isoformat() if m.end else None},
                                 after={"end": end.isoformat(), "end_reason": f"工作队撤离：{reason}"[:200]}))
        m.end, m.end_reason = end, f"工作队撤离：{reason}"[:200]
    WorkTeamMember.objects.bulk_update(staying, ["end", "end_reason"])
    record_many(actor=actor, entries=entries)
    return team
