"""Shapes (serializers) and renderings shared by the identification and exit procedure endpoints.

Output serializers render dicts built here from objects the selectors handed over; they never
query. Personal fields (证件号码, 电话) are masked for the requesting user: in lists by the list
rule, on a case's page by the detail rule (accounts.masking). Component names carry the prefixes
Case…, Notice… or Identification… so they stay unique across the API.
"""

from rest_framework import serializers
from rest_framework.reverse import reverse

from fupin.accounts.masking import mask_dict, mask_value
from fupin.accounts.roles import Cap, Role
from fupin.identification.choices import CaseState, Decision, ObjectionOutcome, Procedure, StepKind
from fupin.registry.choices import HouseholdAttribute, PovertyCause, Relation

PROCEDURE_HELP = "程序：" + "、".join(f"{c} {label}" for c, label in Procedure.choices)
STATE_HELP = "案件状态：" + "、".join(f"{c} {label}" for c, label in CaseState.choices)
KIND_HELP = "步骤类型：" + "、".join(f"{c} {label}" for c, label in StepKind.choices)
DECISION_HELP = "办理结论：" + "、".join(f"{c} {label}" for c, label in Decision.choices)
OUTCOME_HELP = "处理结论：" + "、".join(f"{c} {label}" for c, label in ObjectionOutcome.choices)
TIMELINE_HELP = ("该步骤的情况：done 已办理（同意或通过）、ended 案件在此步终止、current 当前步骤、pending 尚未办理、"
                 "not_reached 案件已结束，未到此步")


# --- Shared pieces -----------------------------------------------------------------------------

class IdentificationVillageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="行政村区划代码（12 位）")
    name = serializers.CharField(help_text="行政村名称")


class IdentificationPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值")
    region_code = serializers.CharField(help_text="参数所在区划（全国为 000000000000）")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class CaseStepDefSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="步骤序号（从 0 开始）")
    code = serializers.CharField(help_text="步骤代码（办理时作为 step_code）")
    name = serializers.CharField(help_text="步骤名称")
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_label = serializers.CharField(help_text="步骤类型名称")
    role = serializers.CharField(help_text="办理角色代码")
    role_label = serializers.CharField(help_text="办理角色名称")
    days = serializers.IntegerField(allow_null=True, help_text="公示天数（仅公示步骤）")
    pass_ratio = serializers.FloatField(allow_null=True, help_text="通过比例（仅评议表决步骤；赞成票须超过该比例）")
    show_income = serializers.BooleanField(help_text="公示公告是否公布年人均纯收入")
    assess = serializers.BooleanField(help_text="同意时是否核查标准（识别：人均纯收入低于扶贫标准；退出：退出标准）")


class CaseListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="案件 ID")
    procedure = serializers.CharField(help_text=PROCEDURE_HELP)
    procedure_label = serializers.CharField(help_text="程序名称")
    year = serializers.IntegerField(help_text="年度（批次）")
    village = IdentificationVillageSerializer(help_text="行政村")
    household_id = serializers.IntegerField(allow_null=True, help_text="贫困户 ID（识别案件在建档立卡后才有）")
    head_name = serializers.CharField(help_text="户主姓名")
    id_number = serializers.CharField(help_text="户主证件号码（按权限脱敏）")
    group_name = serializers.CharField(allow_blank=True, help_text="村民小组")
    household_size = serializers.IntegerField(help_text="家庭人口数")
    per_capita_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                                 help_text="年人均纯收入（元，由收入构成和人口数计算）")
    state = serializers.CharField(help_text=STATE_HELP)
    state_label = serializers.CharField(help_text="状态名称")
    current_step = serializers.CharField(allow_blank=True, help_text="当前步骤代码（已结束的案件为空）")
    current_step_name = serializers.CharField(allow_blank=True, help_text="当前步骤名称")
    end_reason = serializers.CharField(allow_blank=True, help_text="终止原因（已终止的案件）")
    opened_on = serializers.DateField(help_text="提出（申请）日期")
    last_acted_on = serializers.DateField(help_text="最近办理日期")
    closed_on = serializers.DateField(allow_null=True, help_text="办结或终止日期")


class CaseAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="附件 ID")
    name = serializers.CharField(help_text="原文件名")
    content_type = serializers.CharField(help_text="类型")
    size = serializers.IntegerField(help_text="大小（字节）")
    sha256 = serializers.CharField(help_text="内容的 SHA-256")
    uploaded_at = serializers.DateTimeField(help_text="上传时间")
    uploaded_by = serializers.CharField(help_text="上传人")
    url = serializers.CharField(help_text="下载地址（GET /cases/{id}/attachments/{attachment_id}）")


class CaseVotesSerializer(serializers.Serializer):
    for_ = serializers.IntegerField(help_text="赞成票")
    against = serializers.IntegerField(help_text="反对票")
    abstain = serializers.IntegerField(help_text="弃权票")

    def get_fields(self):
        fields = super().get_fields()
        fields["for"] = fields.pop("for_")
        return fields


class CaseActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="用户 ID")
    name = serializers.CharField(help_text="用户名")
    role = serializers.CharField(allow_blank=True, help_text="角色代码")
    role_label = serializers.CharField(allow_blank=True, help_text="角色名称")


class CaseStepRecordSerializer(serializers.Serializer):
    decision = serializers.CharField(help_text=DECISION_HELP)
    decision_label = serializers.CharField(help_text="结论名称")
    comment = serializers.CharField(allow_blank=True, help_text="意见或理由")
    votes = CaseVotesSerializer(allow_null=True, help_text="评议表决票数（仅评议表决步骤）")
    acted_on = serializers.DateField(help_text="办理日期")
    at = serializers.DateTimeField(help_text="记录时间")
    actor = CaseActorSerializer(help_text="办理人")
    notice_id = serializers.IntegerField(allow_null=True, help_text="所依据的公示公告 ID")
    data = serializers.JSONField(help_text="依据：票数和通过比例、收入与扶贫标准、退出评估各项指标、所用政策参数等")
    attachments = CaseAttachmentSerializer(many=True, help_text="附件（元数据；文件经下载地址读取）")


class CaseTimelineItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="步骤序号")
    step = CaseStepDefSerializer(help_text="步骤配置")
    status = serializers.CharField(help_text=TIMELINE_HELP)
    record = CaseStepRecordSerializer(allow_null=True, help_text="办理记录（未办理为 null）")


class CaseObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="异议 ID")
    notice_id = serializers.IntegerField(help_text="公示 ID")
    notice_title = serializers.CharField(help_text="公示标题")
    case_id = serializers.IntegerField(help_text="案件 ID")
    head_name = serializers.CharField(help_text="被提异议的户主姓名")
    filed_on = serializers.DateField(help_text="提出日期")
    filer_name = serializers.CharField(help_text="异议人（匿名时为“匿名”）")
    phone = serializers.CharField(allow_blank=True, help_text="异议人联系电话（按权限脱敏）")
    content = serializers.CharField(help_text="异议内容")
    recorded_by = serializers.CharField(help_text="登记人")
    recorded_at = serializers.DateTimeField(help_text="登记时间")
    outcome = serializers.CharField(allow_blank=True, help_text=OUTCOME_HELP + "；未处理为空")
    outcome_label = serializers.CharField(allow_blank=True, help_text="处理结论名称")
    resolution = serializers.CharField(allow_blank=True, help_text="核查处理意见")
    resolved_on = serializers.DateField(allow_null=True, help_text="处理日期")
    resolved_by = serializers.CharField(allow_blank=True, help_text="处理人")
    case_state = serializers.CharField(help_text="案件当前状态（异议成立时案件已终止）")


class CaseNoticeRefSerializer(serializers.Serializer):
    notice_id = serializers.IntegerField(help_text="公示公告 ID")
    title = serializers.CharField(help_text="标题")
    step_code = serializers.CharField(help_text="步骤代码")
    step_name = serializers.CharField(help_text="步骤名称")
    step_kind = serializers.CharField(help_text="notice 公示、announcement 公告")
    position = serializers.IntegerField(help_text="在名单中的序号")
    published_on = serializers.DateField(help_text="发布日期")
    starts_on = serializers.DateField(help_text="公示开始日期")
    ends_on = serializers.DateField(allow_null=True, help_text="公示截止日期（公告为 null）")


class CaseMemberSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="姓名")
    id_number = serializers.CharField(help_text="证件号码（按权限脱敏）")
    relation = serializers.CharField(help_text="与户主关系代码")
    relation_label = serializers.CharField(allow_blank=True, help_text="与户主关系名称")
    gender = serializers.CharField(allow_blank=True, help_text="性别代码（由证件号码得出）")
    birth_date = serializers.CharField(allow_blank=True, help_text="出生日期（由证件号码得出）")
    details = serializers.JSONField(help_text="其他成员信息和年度信息（健康状况、劳动能力、在校生状况等，按登记时的代码）")


class CaseDetailSerializer(CaseListItemSerializer):
    """案件详情：步骤配置、办理经过、异议、公示公告和当前用户可做的事。"""

    address = serializers.CharField(allow_blank=True, help_text="住址")
    phone = serializers.CharField(allow_blank=True, help_text="联系电话（按权限脱敏）")
    main_cause = serializers.CharField(allow_blank=True, help_text="主要致贫原因代码")
    main_cause_label = serializers.CharField(allow_blank=True, help_text="主要致贫原因名称")
    other_causes = serializers.ListField(child=serializers.CharField(), help_text="其他致贫原因代码")
    other_causes_labels = serializers.ListField(child=serializers.CharField(), help_text="其他致贫原因名称")
    attribute = serializers.CharField(help_text="贫困户属性代码")
    attribute_label = serializers.CharField(help_text="贫困户属性名称")
    wage_income = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="工资性收入")
    business_income = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="生产经营性收入")
    business_cost = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="生产经营费用")
    property_income = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="财产性收入")
    transfer_income = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="转移性收入")
    net_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="家庭纯收入")
    note = serializers.CharField(allow_blank=True, help_text="申请理由或提出说明")
    members = CaseMemberSerializer(many=True, help_text="家庭成员（识别申请登记的成员；退出案件为空，成员见贫困户详情）")
    steps = CaseStepDefSerializer(many=True, help_text="案件提出时复制的步骤配置")
    steps_policy = IdentificationPolicyRowSerializer(help_text="步骤配置所依据的政策参数")
    current_index = serializers.IntegerField(help_text="当前步骤序号")
    current = CaseStepDefSerializer(allow_null=True, help_text="当前步骤（已结束为 null）")
    opened_by = serializers.CharField(help_text="登记人")
    closed_by = serializers.CharField(allow_blank=True, help_text="办结或终止人")
    timeline = CaseTimelineItemSerializer(many=True, help_text="每个步骤及其办理情况")
    objections = CaseObjectionSerializer(many=True, help_text="公示期间对本户提出的异议")
    notices = CaseNoticeRefSerializer(many=True, help_text="列入本户的公示公告")
    may_act = serializers.BooleanField(help_text="当前用户能否办理当前步骤（POST /cases/{id}/act）")
    may_publish = serializers.BooleanField(
        help_text="当前步骤为公示或公告且尚未发布时，当前用户能否发布（POST /regions/{村代码}/notices）")


# --- Renderings --------------------------------------------------------------------------------

def step_def_data(index: int, step) -> dict:
    return {"index": index, "code": step.code, "name": step.name, "kind": step.kind, "kind_label": step.kind_label,
            "role": step.role, "role_label": step.role_label, "days": step.days, "pass_ratio": step.pass_ratio,
            "show_income": step.show_income, "assess": step.assess}


def case_list_data(case, *, user, in_list: bool = True) -> dict:
    return {
        "id": case.pk, "procedure": case.procedure, "procedure_label": case.get_procedure_display(),
        "year": case.year, "village": {"code": case.village_id, "name": case.village.name},
        "household_id": case.household_id, "head_name": case.head_name,
        "id_number": mask_value("id_number", case.id_number, user=user, in_list=in_list),
        "group_name": case.group_name, "household_size": case.household_size,
        "per_capita_income": case.per_capita_income, "state": case.state, "state_label": case.get_state_display(),
        "current_step": case.current_step, "current_step_name": case.current_step_name,
        "end_reason": case.end_reason, "opened_on": case.opened_on, "last_acted_on": case.last_acted_on,
        "closed_on": case.closed_on,
    }


def _member_data(member: dict, *, user) -> dict:
    shown = {"name", "id_number", "relation", "gender", "birth_date"}
    relation = member.get("relation", "")
    return {
        "name": member.get("name", ""),
        "id_number": mask_value("id_number", member.get("id_number", ""), user=user, in_list=False),
        "relation": relation, "relation_label": Relation(relation).label if relation in Relation.values else "",
        "gender": member.get("gender", ""), "birth_date": member.get("birth_date", "") or "",
        "details": mask_dict({k: v for k, v in member.items() if k not in shown}, user=user, in_list=False),
    }


def attachment_data(attachment, *, request) -> dict:
    return {"id": attachment.pk, "name": attachment.original_name, "content_type": attachment.content_type,
            "size": attachment.size, "sha256": attachment.sha256, "uploaded_at": attachment.uploaded_at,
            "uploaded_by": attachment.uploaded_by_name,
            "url": reverse("api:case-attachment", args=[attachment.case_id, attachment.pk], request=request)}


def _record_data(record, *, user, request) -> dict:
    votes = None
    if record.votes_for is not None:
        votes = {"for": record.votes_for, "against": record.votes_against or 0, "abstain": record.votes_abstain or 0}
    return {
        "decision": record.decision, "decision_label": record.get_decision_display(), "comment": record.comment,
        "votes": votes, "acted_on": record.acted_on, "at": record.at,
        "actor": {"id": record.actor_id, "name": record.actor_name, "role": record.actor_role,
                  "role_label": Role.LABELS.get(record.actor_role, "")},
        "notice_id": record.notice_id, "data": mask_dict(record.data, user=user, in_list=False),
        "attachments": [attachment_data(a, request=request) for a in record.attachments.all()],
    }


def objection_data(objection, *, user, case=None, notice=None) -> dict:
    case = case or objection.case
    notice = notice or objection.notice
    return {
        "id": objection.pk, "notice_id": objection.notice_id, "notice_title": notice.title,
        "case_id": objection.case_id, "head_name": case.head_name, "filed_on": objection.filed_on,
        "filer_name": objection.filer_name,
        "phone": mask_value("phone", objection.phone, user=user, in_list=False), "content": objection.content,
        "recorded_by": objection.recorded_by_name, "recorded_at": objection.recorded_at,
        "outcome": objection.outcome, "outcome_label": objection.get_outcome_display() if objection.outcome else "",
        "resolution": objection.resolution, "resolved_on": objection.resolved_on,
        "resolved_by": objection.resolved_by_name, "case_state": case.state,
    }


def may_act_on(user, case, *, listed: bool) -> tuple[bool, bool]:
    """(may act on the current step, may publish its notice or announcement) for the user."""
    step = case.current_step_def
    if step is None or step.role != user.role or not user.can(Cap.EDIT_REGISTRY):
        return False, False
    publishing = step.kind in (StepKind.NOTICE, StepKind.ANNOUNCEMENT)
    may_act = step.kind != StepKind.ANNOUNCEMENT and not (step.kind == StepKind.NOTICE and not listed)
    return may_act, publishing and not listed


def case_detail_data(case, *, user, request, timeline, objections, entries) -> dict:
    """The case page: what the selectors returned for it (timeline, objections, notice entries)."""
    step = case.current_step_def
    listed = bool(step) and any(e.step_code == step.code for e in entries)
    may_act, may_publish = may_act_on(user, case, listed=listed)
    policy = dict(case.steps_policy or {})
    policy.setdefault("source", "")
    data = case_list_data(case, user=user, in_list=False)
    data.update({
        "address": case.address, "phone": mask_value("phone", case.phone, user=user, in_list=False),
        "main_cause": case.main_cause, "main_cause_label": case.get_main_cause_display() if case.main_cause else "",
        "other_causes": list(case.other_causes or []),
        "other_causes_labels": [PovertyCause(c).label for c in case.other_causes or [] if c in PovertyCause.values],
        "attribute": case.attribute,
        "attribute_label": HouseholdAttribute(case.attribute).label if case.attribute in HouseholdAttribute.values
        else case.attribute,
        "wage_income": case.wage_income, "business_income": case.business_income,
        "business_cost": case.business_cost, "property_income": case.property_income,
        "transfer_income": case.transfer_income, "net_income": case.net_income, "note": case.note,
        "members": [_member_data(m, user=user) for m in case.members or []],
        "steps": [step_def_data(i, s) for i, s in enumerate(case.step_defs)],
        "steps_policy": policy, "current_index": case.current_index,
        "current": step_def_data(case.current_index, step) if step else None,
        "opened_by": case.opened_by_name, "closed_by": case.closed_by_name,
        "timeline": [{"index": row["index"], "step": step_def_data(row["index"], row["step"]),
                      "status": row["status"],
                      "record": _record_data(row["record"], user=user, request=request) if row["record"] else None}
                     for row in timeline],
        "objections": [objection_data(o, user=user, case=case) for o in objections],
        "notices": [{"notice_id": e.notice_id, "title": e.notice.title, "step_code": e.step_code,
                     "step_name": e.notice.step_name, "step_kind": e.notice.step_kind, "position": e.position,
                     "published_on": e.notice.published_on, "starts_on": e.notice.starts_on,
                     "ends_on": e.notice.ends_on} for e in entries],
        "may_act": may_act, "may_publish": may_publish,
    })
    return data

