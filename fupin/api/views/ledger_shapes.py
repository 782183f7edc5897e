"""Request and response shapes of the 问题台账 API (component names prefixed Ledger)."""

from rest_framework import serializers

from fupin.ledger.choices import EventKind, ItemState, Source

SOURCE_HELP = "、".join(f"{c} {label}" for c, label in Source.choices)
STATE_HELP = "、".join(f"{c} {label}" for c, label in ItemState.choices)
KIND_HELP = "、".join(f"{c} {label}" for c, label in EventKind.choices)


class LedgerListQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, help_text="区划代码（6、9 或 12 位，默认本人所在区划）")
    state = serializers.ChoiceField(choices=ItemState.values, required=False, help_text=f"状态：{STATE_HELP}")
    source = serializers.ChoiceField(choices=Source.values, required=False, help_text=f"来源：{SOURCE_HELP}")
    overdue = serializers.BooleanField(required=False, default=False, help_text="只列逾期问题（按统计日期）")
    due_soon = serializers.BooleanField(required=False, default=False, help_text="只列即将到期的问题")
    household = serializers.IntegerField(required=False, min_value=1, help_text="涉及户 ID")
    responsible = serializers.IntegerField(required=False, min_value=1, help_text="整改责任人用户 ID")
    on = serializers.DateField(required=False, help_text="判断逾期的日期（默认今天）")
    page = serializers.IntegerField(required=False, min_value=1, help_text="页码")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500, help_text="每页条数（默认 50）")


class LedgerStatsQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, help_text="区划代码（默认本人所在区划）")
    on = serializers.DateField(required=False, help_text="统计日期（默认今天）")


class LedgerItemInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=[Source.INSPECTION, Source.AUDIT, Source.OTHER],
                                     help_text="问题来源：inspection 巡视督查、audit 审计、other 其他（比对疑点和数据质量问题"
                                               "由各自的功能列入）")
    region_code = serializers.CharField(required=False, allow_blank=True,
                                        help_text="问题所属区划（指定涉及户时取该户所在村）")
    household_id = serializers.IntegerField(required=False, allow_null=True, help_text="涉及户 ID（可选）")
    title = serializers.CharField(max_length=200, help_text="问题")
    description = serializers.CharField(required=False, allow_blank=True, help_text="问题描述")
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                       help_text="来源编号（如巡视反馈文号），未销号前不能重复登记")
    found_on = serializers.DateField(required=False, help_text="发现日期（默认今天）")
    deadline = serializers.DateField(required=False, help_text="整改时限（默认发现日期加 ledger.default_deadline_days）")
    responsible_id = serializers.IntegerField(required=False, allow_null=True, help_text="整改责任人用户 ID")
    responsible_name = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                             help_text="责任人（单位）")
    measures = serializers.CharField(required=False, allow_blank=True, help_text="整改措施")


class LedgerFromQualityInputSerializer(serializers.Serializer):
    household_id = serializers.IntegerField(help_text="户 ID")
    rule_code = serializers.CharField(max_length=10, help_text="数据质量规则代码，如 R19")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="校验年度")
    member_id = serializers.IntegerField(required=False, allow_null=True, help_text="成员 ID（成员级问题）")
    deadline = serializers.DateField(required=False, help_text="整改时限")
    responsible_id = serializers.IntegerField(required=False, allow_null=True, help_text="整改责任人用户 ID")


class LedgerActionInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="办理日期（默认今天，不能晚于今天、不能早于上一次处理）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="说明")
    measures = serializers.CharField(required=False, allow_blank=True, help_text="整改措施（开始整改时必填）")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text="原因（退回、重新打开时必填）")


class LedgerAssignInputSerializer(serializers.Serializer):
    responsible_id = serializers.IntegerField(required=False, allow_null=True,
                                              help_text="整改责任人用户 ID（null 为取消）")
    responsible_name = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                             help_text="责任人（单位）")
    deadline = serializers.DateField(required=False, help_text="整改时限")
    measures = serializers.CharField(required=False, allow_blank=True, help_text="整改措施")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="说明")
    on = serializers.DateField(required=False, help_text="办理日期（默认今天）")


class LedgerEvidenceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), help_text="整改佐证材料（可多个；类型和大小按 "
                                                                          "ledger.evidence_types、ledger.evidence_max_mb）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="说明")
    on = serializers.DateField(required=False, help_text="上传日期（默认今天）")


class LedgerItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField(help_text=f"来源：{SOURCE_HELP}")
    source_label = serializers.CharField(help_text="来源名称")
    source_ref = serializers.CharField(allow_blank=True, help_text="来源编号")
    region_code = serializers.CharField(help_text="所属区划")
    household_id = serializers.IntegerField(allow_null=True, help_text="涉及户 ID")
    household_no = serializers.CharField(allow_blank=True, help_text="户编号")
    head_name = serializers.CharField(allow_blank=True, help_text="户主")
    title = serializers.CharField(help_text="问题")
    state = serializers.CharField(help_text=f"状态：{STATE_HELP}")
    state_label = serializers.CharField(help_text="状态名称")
    found_on = serializers.DateField(help_text="发现日期")
    deadline = serializers.DateField(help_text="整改时限")
    overdue = serializers.BooleanField(help_text="统计日是否逾期（待整改或整改中且晚于时限）")
    overdue_days = serializers.IntegerField(help_text="逾期天数（未逾期为 0）")
    responsible_id = serializers.IntegerField(allow_null=True, help_text="整改责任人用户 ID")
    responsible = serializers.CharField(allow_blank=True, help_text="整改责任人")
    responsible_name = serializers.CharField(allow_blank=True, help_text="责任人（单位）")
    submitted_on = serializers.DateField(allow_null=True, help_text="提交整改日期")
    verified_on = serializers.DateField(allow_null=True, help_text="核验日期")
    closed_on = serializers.DateField(allow_null=True, help_text="销号日期")
    reopen_count = serializers.IntegerField(help_text="重新打开次数")


class LedgerEventSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=f"事项：{KIND_HELP}")
    kind_label = serializers.CharField(help_text="事项名称")
    from_state = serializers.CharField(allow_blank=True, help_text="原状态")
    to_state = serializers.CharField(help_text="新状态")
    on = serializers.DateField(help_text="日期")
    note = serializers.CharField(allow_blank=True, help_text="说明")
    actor_id = serializers.IntegerField(allow_null=True, help_text="操作人 ID")
    actor_name = serializers.CharField(allow_blank=True, help_text="操作人")


class LedgerEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField(help_text="文件名")
    content_type = serializers.CharField(help_text="类型")
    size = serializers.IntegerField(help_text="大小（字节）")
    sha256 = serializers.CharField(help_text="SHA-256 摘要")
    uploaded_by_name = serializers.CharField(allow_blank=True, help_text="上传人")
    uploaded_at = serializers.DateTimeField(help_text="上传时间")


class LedgerItemDetailSerializer(LedgerItemSerializer):
    description = serializers.CharField(allow_blank=True, help_text="问题描述")
    measures = serializers.CharField(allow_blank=True, help_text="整改措施")
    inputs = serializers.JSONField(help_text="问题依据（比对疑点、校验规则的数值和政策参数等）")
    late_submitted = serializers.BooleanField(help_text="是否超过整改时限才提交整改（逾期提交）")
    actions = serializers.ListField(child=serializers.CharField(), help_text="当前用户可办理的操作")
    events = LedgerEventSerializer(many=True, help_text="处理记录")
    evidence = LedgerEvidenceSerializer(many=True, help_text="整改佐证材料")


class LedgerItemPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="符合条件的问题数")
    page = serializers.IntegerField(help_text="页码")
    pages = serializers.IntegerField(help_text="总页数")
    on = serializers.DateField(help_text="判断逾期的日期")
    results = LedgerItemSerializer(many=True)


class LedgerTallySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="问题数（统计日前发现）")
    open = serializers.IntegerField(help_text="待整改")
    rectifying = serializers.IntegerField(help_text="整改中")
    submitted = serializers.IntegerField(help_text="已提交整改")
    verified = serializers.IntegerField(help_text="已核验")
    closed = serializers.IntegerField(help_text="已销号")
    overdue = serializers.IntegerField(help_text="逾期（待整改或整改中且统计日晚于整改时限）")
    late_submitted = serializers.IntegerField(help_text="逾期提交（超过时限才提交整改）")
    due_soon = serializers.IntegerField(help_text="即将到期")
    closure_avg_days = serializers.FloatField(allow_null=True, help_text="平均销号用时（天，发现日期到销号日期）")
    closure_median_days = serializers.FloatField(allow_null=True, help_text="销号用时中位数（天）")


class LedgerRegionRowSerializer(LedgerTallySerializer):
    code = serializers.CharField(help_text="下级区划代码（本级登记的问题为本区划代码）")
    name = serializers.CharField(help_text="下级区划名称")


class LedgerSourceRowSerializer(LedgerTallySerializer):
    source = serializers.CharField(help_text="问题来源")
    label = serializers.CharField(help_text="来源名称")


class LedgerOverdueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    source_label = serializers.CharField()
    region_code = serializers.CharField()
    household_id = serializers.IntegerField(allow_null=True)
    household_no = serializers.CharField(allow_blank=True)
    head_name = serializers.CharField(allow_blank=True)
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    found_on = serializers.DateField()
    deadline = serializers.DateField()
    overdue_days = serializers.IntegerField(help_text="统计日超过整改时限的天数")
    responsible = serializers.CharField(allow_blank=True)
    responsible_name = serializers.CharField(allow_blank=True)


class LedgerPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField()
    region_code = serializers.CharField()
    year_from = serializers.IntegerField()
    source = serializers.CharField(allow_blank=True)


class LedgerStatsSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="统计的区划")
    region_name = serializers.CharField(help_text="区划名称")
    on = serializers.DateField(help_text="统计日期")
    rule = serializers.CharField(help_text="统计口径（逾期的定义）")
    due_soon_days = serializers.IntegerField(help_text="即将到期天数（ledger.due_soon_days）")
    totals = LedgerTallySerializer(help_text="合计")
    by_region = LedgerRegionRowSerializer(many=True, help_text="按下级区划")
    by_source = LedgerSourceRowSerializer(many=True, help_text="按问题来源")
    overdue_count = serializers.IntegerField(help_text="逾期问题数")
    overdue = LedgerOverdueRowSerializer(many=True, help_text="逾期问题（逾期久的在前）")
    policy = LedgerPolicyRowSerializer(many=True, help_text="用到的政策参数")
