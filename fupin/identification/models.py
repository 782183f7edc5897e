"""Cases of the identification and exit procedures (精准识别, 精准退出) and their steps.

A case (程序案件) is one household going through one procedure in one round (年度). It copies the
configured steps when it is opened and moves through them one by one; each step done is a
`CaseStep` (who, when, decision, comment, votes, attachments). Public notices (公示/公告) list
cases at a notice or announcement step; objections (异议) are filed against a case on a notice.

One case per household per round: an identification case per head's ID number and year, an exit
case per household and year, among cases not rejected (a rejected case keeps its record, and the
household may be proposed again in the same round — the new case starts from the first step).
"""

from django.db import models
from django.db.models import Q

from fupin.regions.models import Region
from fupin.registry.choices import HouseholdAttribute, PovertyCause

from .choices import ANONYMOUS, STATE_CSS, CaseState, Decision, ObjectionOutcome, Procedure, StepKind
from .engine import StepDef, steps_from_snapshot

MONEY = {"max_digits": 12, "decimal_places": 2}


class Case(models.Model):
    procedure = models.CharField("程序", max_length=20, choices=Procedure.choices)
    year = models.PositiveSmallIntegerField("年度")
    # The village's 12-digit code (Region's key): scoping is a range condition on this column.
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT,
                                related_name="procedure_cases")
    # Exit cases: the household from the start. Identification cases: set at 建档立卡.
    household = models.ForeignKey("registry.Household", verbose_name="贫困户", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="procedure_cases")
    # The applicant (identification) or the household as it was when the case was opened (exit).
    head_name = models.CharField("户主姓名", max_length=50)
    id_number = models.CharField("户主证件号码", max_length=20)
    group_name = models.CharField("村民小组", max_length=30, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    main_cause = models.CharField("主要致贫原因", max_length=20, choices=PovertyCause.choices, blank=True)
    other_causes = models.JSONField("其他致贫原因", default=list, blank=True)
    attribute = models.CharField("贫困户属性", max_length=20, choices=HouseholdAttribute.choices,
                                 default=HouseholdAttribute.GENERAL)
    # Identification: every member as cleaned by the registry's rules, so 建档立卡 can file them.
    members = models.JSONField("家庭成员", default=list, blank=True)
    household_size = models.PositiveSmallIntegerField("家庭人口数", default=0)
    wage_income = models.DecimalField("工资性收入", default=0, **MONEY)
    business_income = models.DecimalField("生产经营性收入", default=0, **MONEY)
    business_cost = models.DecimalField("生产经营费用", default=0, **MONEY)
    property_income = models.DecimalField("财产性收入", default=0, **MONEY)
    transfer_income = models.DecimalField("转移性收入", default=0, **MONEY)
    net_income = models.DecimalField("家庭纯收入", null=True, blank=True, **MONEY)
    per_capita_income = models.DecimalField("年人均纯收入", null=True, blank=True, db_index=True, **MONEY)
    note = models.TextField("申请理由或提出说明", max_length=1000, blank=True)
    # The configured steps as they were when the case was opened, and the policy row they came from.
    steps = models.JSONField("步骤")
    steps_policy = models.JSONField("步骤依据", default=dict)
    current_index = models.PositiveSmallIntegerField("当前步骤序号", default=0)
    current_step = models.CharField("当前步骤", max_length=40, blank=True)
    state = models.CharField("状态", max_length=20, choices=CaseState.choices, default=CaseState.OPEN)
    end_reason = models.CharField("终止原因", max_length=1000, blank=True)
    # The date of the latest step done (or of the opening): no step may be dated before it.
    last_acted_on = models.DateField("最近办理日期")
    opened_on = models.DateField("提出日期")
    opened_at = models.DateTimeField("登记时间", auto_now_add=True)
    opened_by_id = models.BigIntegerField("登记人ID", null=True, blank=True)
    opened_by_name = models.CharField("登记人", max_length=150, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by_id = models.BigIntegerField("办结人ID", null=True, blank=True)
    closed_by_name = models.CharField("办结人", max_length=150, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "程序案件"
        verbose_name_plural = "程序案件"
        ordering = ["-year", "village_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number", "year"], name="case_identification_once_per_round",
                                    condition=Q(procedure="identification") & ~Q(state="rejected")),
            models.UniqueConstraint(fields=["household", "year"], name="case_exit_once_per_round",
                                    condition=Q(procedure="exit") & ~Q(state="rejected")),
            models.CheckConstraint(name="case_exit_has_household",
                                   condition=Q(procedure="identification") | Q(household__isnull=False)),
        ]
        indexes = [models.Index(fields=["village", "procedure", "year", "state"]),
                   models.Index(fields=["procedure", "current_step"])]

    def __str__(self) -> str:
        return f"{Procedure(self.procedure).label} #{self.pk} {self.head_name}户（{self.year}）"

    @property
    def step_defs(self) -> list[StepDef]:
        return steps_from_snapshot(self.steps)

    @property
    def current_step_def(self) -> StepDef | None:
        if self.state != CaseState.OPEN:
            return None
        return self.step_defs[self.current_index]

    @property
    def current_step_name(self) -> str:
        step = self.current_step_def
        return step.name if step else ""

    @property
    def is_open(self) -> bool:
        return self.state == CaseState.OPEN

    @property
    def state_css(self) -> str:
        return STATE_CSS.get(self.state, "off")


class CaseStep(models.Model):
    """One step of a case done (or the step at which it ended): who, when, decision, why."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="step_records")
    index = models.PositiveSmallIntegerField("步骤序号")
    code = models.CharField("步骤代码", max_length=40)
    name = models.CharField("步骤", max_length=60)
    kind = models.CharField("步骤类型", max_length=20, choices=StepKind.choices)
    decision = models.CharField("结论", max_length=20, choices=Decision.choices)
    comment = models.TextField("意见", max_length=2000, blank=True)
    votes_for = models.PositiveIntegerField("赞成票", null=True, blank=True)
    votes_against = models.PositiveIntegerField("反对票", null=True, blank=True)
    votes_abstain = models.PositiveIntegerField("弃权票", null=True, blank=True)
    notice = models.ForeignKey("identification.Notice", verbose_name="公示公告", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="step_records")
    # How the result was reached: vote counts and ratio, the exit assessment, policy rows.
    data = models.JSONField("依据", default=dict, blank=True)
    acted_on = models.DateField("办理日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor_id = models.BigIntegerField("办理人ID", null=True, blank=True)
    actor_name = models.CharField("办理人", max_length=150, blank=True)
    actor_role = models.CharField("办理人角色", max_length=30, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case_id", "index"]
        constraints = [models.UniqueConstraint(fields=["case", "index"], name="case_step_once")]

    def __str__(self) -> str:
        return f"案件 {self.case_id} 第 {self.index + 1} 步 {self.name}：{self.get_decision_display()}"


class Attachment(models.Model):
    """A file attached to a step (申请书, 评议记录, 核实表 …), stored under MEDIA_ROOT by content hash."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="attachments")
    step = models.ForeignKey(CaseStep, verbose_name="办理记录", on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField("文件", max_length=255)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by_id = models.BigIntegerField("上传人ID", null=True, blank=True)
    uploaded_by_name = models.CharField("上传人", max_length=150, blank=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["step_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class Notice(models.Model):
    """A public notice (公示, for a number of days, open to objections) or announcement (公告)."""

    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT,
                                related_name="procedure_notices")
    procedure = models.CharField("程序", max_length=20, choices=Procedure.choices)
    year = models.PositiveSmallIntegerField("年度")
    step_code = models.CharField("步骤代码", max_length=40)
    step_name = models.CharField("步骤", max_length=60)
    step_kind = models.CharField("类型", max_length=20, choices=[(StepKind.NOTICE, "公示"),
                                                                 (StepKind.ANNOUNCEMENT, "公告")])
    title = models.CharField("标题", max_length=200)
    issuer = models.CharField("发布单位", max_length=100)
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示截止日期", null=True, blank=True)  # starts_on + days - 1; none for 公告
    days = models.PositiveSmallIntegerField("公示天数", null=True, blank=True)
    # How to object (公示): whom to contact, phone, address. Printed on the notice.
    objection_contact = models.TextField("异议受理方式", max_length=500, blank=True)
    note = models.TextField("说明", max_length=1000, blank=True)
    show_income = models.BooleanField("公布人均纯收入", default=True)
    published_on = models.DateField("发布日期")
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    published_by_id = models.BigIntegerField("发布人ID", null=True, blank=True)
    published_by_name = models.CharField("发布人", max_length=150, blank=True)

    class Meta:
        verbose_name = "公示公告"
        verbose_name_plural = "公示公告"
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["village", "published_on"]), models.Index(fields=["procedure", "step_code"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_notice(self) -> bool:
        return self.step_kind == StepKind.NOTICE

    @property
    def subject(self) -> str:
        """Who is listed, as the paper says it."""
        if self.procedure == Procedure.EXIT:
            return "拟退出贫困户" if self.is_notice else "退出贫困户"
        return "拟识别贫困户" if self.is_notice else "识别为建档立卡贫困户"

    def in_period(self, day) -> bool:
        return self.is_notice and self.starts_on <= day <= self.ends_on


class NoticeEntry(models.Model):
    """A case as printed on a notice: only what the paper shows (ID numbers already masked)."""

    notice = models.ForeignKey(Notice, verbose_name="公示公告", on_delete=models.PROTECT, related_name="entries")
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="notice_entries")
    step_code = models.CharField("步骤代码", max_length=40)
    position = models.PositiveSmallIntegerField("序号")
    head_name = models.CharField("户主姓名", max_length=50)
    id_number_masked = models.CharField("证件号码（脱敏）", max_length=20)
    group_name = models.CharField("村民小组", max_length=30, blank=True)
    household_size = models.PositiveSmallIntegerField("家庭人口数")
    per_capita_income = models.DecimalField("年人均纯收入", null=True, blank=True, **MONEY)
    main_cause = models.CharField("主要致贫原因", max_length=20, blank=True)

    class Meta:
        verbose_name = "公示名单"
        verbose_name_plural = "公示名单"
        ordering = ["notice_id", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "step_code"], name="notice_entry_once_per_step")]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.position} {self.head_name}"


class Objection(models.Model):
    """An objection (异议) to a case on a notice, filed during the notice period."""

    notice = models.ForeignKey(Notice, verbose_name="公示", on_delete=models.PROTECT, related_name="objections")
    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="objections")
    filed_on = models.DateField("提出日期")
    filer_name = models.CharField("异议人", max_length=50, default=ANONYMOUS)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    content = models.TextField("异议内容", max_length=2000)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    recorded_by_id = models.BigIntegerField("登记人ID", null=True, blank=True)
    recorded_by_name = models.CharField("登记人", max_length=150, blank=True)
    outcome = models.CharField("处理结论", max_length=20, choices=ObjectionOutcome.choices, blank=True)
    resolution = models.TextField("核查处理意见", max_length=2000, blank=True)
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by_id = models.BigIntegerField("处理人ID", null=True, blank=True)
    resolved_by_name = models.CharField("处理人", max_length=150, blank=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["notice_id", "id"]
        indexes = [models.Index(fields=["case", "outcome"])]

    def __str__(self) -> str:
        return f"异议 #{self.pk}（案件 {self.case_id}）"

    @property
    def is_resolved(self) -> bool:
        return bool(self.outcome)


class VillageQuota(models.Model):
    """How many households a village may identify in a round (识别规模), set by the county."""

    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="quotas")
    year = models.PositiveSmallIntegerField("年度")
    quota = models.PositiveIntegerField("识别规模（户）")
    note = models.CharField("说明", max_length=200, blank=True)
    set_at = models.DateTimeField("设定时间", auto_now=True)
    set_by_id = models.BigIntegerField("设定人ID", null=True, blank=True)
    set_by_name = models.CharField("设定人", max_length=150, blank=True)

    class Meta:
        verbose_name = "识别规模"
        verbose_name_plural = "识别规模"
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="village_quota_unique")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}：{self.quota} 户"
