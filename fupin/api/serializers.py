"""Input and output shapes of the REST API.

Output serializers only render objects the selectors handed to the view; they never query.
Personal fields (证件号码, 电话, 银行账号) are masked here for the requesting user: in lists by the
"in lists" rule, on detail by the detail rule (accounts.masking). The view says which one applies
through `context["in_list"]`; when it says nothing, the stricter list rule is used.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fupin.accounts.masking import mask_value
from fupin.accounts.models import User
from fupin.accounts.roles import ROLE_CAPS, Cap
from fupin.registry.choices import HouseholdStatus, PovertyCause
from fupin.registry.models import Household, Member
from fupin.registry.services import HOUSEHOLD_EDITABLE

# --- Errors ---------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="错误代码，如 invalid、not_authenticated、permission_denied、not_found")
    message = serializers.CharField(help_text="中文错误信息，可直接展示给用户")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="按字段列出的错误信息（仅数据校验错误时非空）")


class ErrorSerializer(serializers.Serializer):
    """所有错误响应的格式：{"error": {"code", "message", "fields"}}。"""

    error = ErrorDetailSerializer()


# --- Authentication -------------------------------------------------------------------------


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(label="密码", max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="令牌，只显示这一次；请求时放在 “Authorization: Token <令牌>” 头中")
    expires_at = serializers.DateTimeField(help_text="过期时间")


# --- Regions --------------------------------------------------------------------------------


class RegionBriefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="12 位统计用区划代码")
    name = serializers.CharField(help_text="名称")
    level = serializers.CharField(help_text="级别：nation/province/city/county/township/village")
    level_label = serializers.CharField(help_text="级别名称（省、市、县、乡镇、村）")


class RegionSerializer(RegionBriefSerializer):
    parent_code = serializers.CharField(source="parent_id", allow_null=True, help_text="上级区划代码")
    longitude = serializers.FloatField(allow_null=True, help_text="经度")
    latitude = serializers.FloatField(allow_null=True, help_text="纬度")


class BreadcrumbItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="region.code")
    name = serializers.CharField(source="region.name")
    level = serializers.CharField(source="region.level")
    level_label = serializers.CharField(source="region.level_label")
    may_open = serializers.BooleanField(help_text="当前用户能否打开该区划（本级以上的区划不能）")


class StatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HouseholdStatus.choices, help_text="户状态")
    label = serializers.CharField(help_text="户状态名称")
    households = serializers.IntegerField(help_text="户数")


class OverviewSerializer(serializers.Serializer):
    households = serializers.IntegerField(help_text="建档立卡户数（当前用户可见范围内）")
    persons = serializers.IntegerField(help_text="人数")
    by_status = StatusCountSerializer(many=True, help_text="按户状态统计")


class RegionChildSerializer(serializers.Serializer):
    code = serializers.CharField(source="region.code")
    name = serializers.CharField(source="region.name")
    level = serializers.CharField(source="region.level")
    level_label = serializers.CharField(source="region.level_label")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="人数")


class RegionDetailSerializer(serializers.Serializer):
    region = RegionSerializer()
    breadcrumb = BreadcrumbItemSerializer(many=True, help_text="从全国到本区划的路径")
    overview = OverviewSerializer()
    children = RegionChildSerializer(many=True, help_text="下级区划及其户数、人数")


# --- Current user ---------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(help_text="用户名")
    full_name = serializers.CharField(help_text="姓名")
    role = serializers.CharField(help_text="角色代码")
    role_label = serializers.CharField(help_text="角色名称")
    region = RegionBriefSerializer(help_text="所属区划（数据范围）")
    capabilities = serializers.SerializerMethodField(help_text="权限列表")

    def get_capabilities(self, user) -> list[str]:
        return sorted(cap for cap in ROLE_CAPS.get(user.role, ()) if user.can(cap))

    def to_representation(self, user):
        # What the declared fields give, without building and copying them on every request.
        return {"id": user.id, "username": _text(user.username), "full_name": _text(user.full_name),
                "role": _text(user.role), "role_label": _text(user.role_label),
                "region": _region_brief(user.region), "capabilities": self.get_capabilities(user)}


# --- Registry -------------------------------------------------------------------------------


class MaskedCharField(serializers.CharField):
    """A personal field, masked unless the requesting user may see it in this kind of view."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        value = super().to_representation(value)
        user = self.context["request"].user
        return mask_value(self.kind, value, user=user, in_list=self.context.get("in_list", True))


# --- Rendering the household page directly -------------------------------------------------
# The household serializers below declare the shape (and the OpenAPI schema); their
# to_representation builds the same dict directly. DRF would build some fifty field objects for
# each household page and walk them for every object, which costs more CPU than the page's queries.
# benchmark/tests/test_latency.py checks that both give the same JSON.

_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def _text(value):
    return None if value is None else str(value)


def _region_brief(region) -> dict:
    """RegionBriefSerializer's output."""
    return {"code": _text(region.code), "name": _text(region.name), "level": _text(region.level),
            "level_label": _text(region.level_label)}


def _when(field, value):
    return None if value is None else field.to_representation(value)


def _masker(context: dict):
    user, in_list = context["request"].user, context.get("in_list", True)
    return lambda kind, value: None if value is None else mask_value(kind, str(value), user=user, in_list=in_list)


class HelperSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name", help_text="帮扶责任人姓名")


class HouseholdBaseSerializer(serializers.ModelSerializer):
    village = RegionBriefSerializer(help_text="行政村")
    phone = MaskedCharField(kind="phone", help_text="户联系电话（按权限脱敏）")
    bank_account = MaskedCharField(kind="bank_account", help_text="银行账号（按权限脱敏）")
    status_label = serializers.CharField(source="get_status_display", help_text="户状态名称")
    attribute_label = serializers.CharField(source="get_attribute_display", help_text="贫困户属性名称")
    main_cause_label = serializers.CharField(source="get_main_cause_display", help_text="主要致贫原因名称")
    helper = HelperSerializer(allow_null=True, help_text="帮扶责任人")

    class Meta:
        model = Household
        fields = ["id", "household_no", "village", "group_name", "address", "head_name", "phone", "bank_name",
                  "bank_account", "status", "status_label", "attribute", "attribute_label", "main_cause",
                  "main_cause_label", "registered_year", "exit_year", "helper"]
        read_only_fields = fields

    def to_representation(self, h):
        mask, village, helper = _masker(self.context), h.village, h.helper
        return {
            "id": h.id, "household_no": _text(h.household_no),
            "village": _region_brief(village),
            "group_name": _text(h.group_name), "address": _text(h.address), "head_name": _text(h.head_name),
            "phone": mask("phone", h.phone), "bank_name": _text(h.bank_name),
            "bank_account": mask("bank_account", h.bank_account),
            "status": h.status, "status_label": h.get_status_display(),
            "attribute": h.attribute, "attribute_label": h.get_attribute_display(),
            "main_cause": h.main_cause, "main_cause_label": h.get_main_cause_display(),
            "registered_year": h.registered_year, "exit_year": h.exit_year,
            "helper": None if helper is None else {"id": helper.id, "name": _text(helper.display_name)},
        }


class HouseholdListItemSerializer(HouseholdBaseSerializer):
    member_count = serializers.IntegerField(help_text="家庭人口数")

    class Meta(HouseholdBaseSerializer.Meta):
        fields = [*HouseholdBaseSerializer.Meta.fields, "member_count"]
        read_only_fields = fields

    def to_representation(self, h):
        count = h.member_count
        return {**super().to_representation(h), "member_count": None if count is None else int(count)}


class MemberSerializer(serializers.ModelSerializer):
    id_number = MaskedCharField(kind="id_number", help_text="证件号码（按权限脱敏）")
    phone = MaskedCharField(kind="phone", help_text="联系电话（按权限脱敏）")
    id_type_label = serializers.CharField(source="get_id_type_display", help_text="证件类型名称")
    gender_label = serializers.CharField(source="get_gender_display", help_text="性别名称")
    relation_label = serializers.CharField(source="get_relation_display", help_text="与户主关系名称")
    left_reason_label = serializers.CharField(source="get_left_reason_display", help_text="减少原因名称")

    class Meta:
        model = Member
        fields = ["id", "name", "id_type", "id_type_label", "id_number", "gender", "gender_label", "birth_date",
                  "relation", "relation_label", "ethnicity", "phone", "disability_cert_no", "left_on",
                  "left_reason", "left_reason_label"]
        read_only_fields = fields

    @staticmethod
    def represent(m, mask) -> dict:
        return {
            "id": m.id, "name": _text(m.name), "id_type": m.id_type, "id_type_label": m.get_id_type_display(),
            "id_number": mask("id_number", m.id_number), "gender": m.gender, "gender_label": m.get_gender_display(),
            "birth_date": _when(_DATE, m.birth_date), "relation": m.relation,
            "relation_label": m.get_relation_display(), "ethnicity": _text(m.ethnicity),
            "phone": mask("phone", m.phone), "disability_cert_no": _text(m.disability_cert_no),
            "left_on": _when(_DATE, m.left_on), "left_reason": m.left_reason,
            "left_reason_label": m.get_left_reason_display(),
        }

    def to_representation(self, m):
        return self.represent(m, _masker(self.context))


class HouseholdDetailSerializer(HouseholdBaseSerializer):
    """贫困户详情（含家庭成员）。"""

    # The view passes the members, read through the selector, in context["members"].

    identification_standard_label = serializers.CharField(source="get_identification_standard_display",
                                                          help_text="识别标准名称")
    other_causes = serializers.ListField(child=serializers.CharField(), help_text="其他致贫原因（代码）")
    other_causes_labels = serializers.SerializerMethodField(help_text="其他致贫原因名称")
    can_edit = serializers.SerializerMethodField(help_text="当前用户能否修改本户（PATCH）")
    members = serializers.SerializerMethodField(help_text="家庭成员")

    class Meta(HouseholdBaseSerializer.Meta):
        fields = [*HouseholdBaseSerializer.Meta.fields, "identification_standard", "identification_standard_label",
                  "other_causes", "other_causes_labels", "created_at", "updated_at", "can_edit", "members"]
        read_only_fields = fields

    def get_other_causes_labels(self, household) -> list[str]:
        labels = dict(PovertyCause.choices)
        return [labels.get(c, c) for c in household.other_causes or []]

    def get_can_edit(self, household) -> bool:
        return self.context["request"].user.can(Cap.EDIT_REGISTRY)

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household):
        mask = _masker(self.context)
        return [MemberSerializer.represent(m, mask) for m in self.context["members"]]

    def to_representation(self, h):
        return {
            **super().to_representation(h),
            "identification_standard": h.identification_standard,
            "identification_standard_label": h.get_identification_standard_display(),
            "other_causes": None if h.other_causes is None else [_text(c) for c in h.other_causes],
            "other_causes_labels": self.get_other_causes_labels(h),
            "created_at": _when(_DATETIME, h.created_at), "updated_at": _when(_DATETIME, h.updated_at),
            "can_edit": self.get_can_edit(h), "members": self.get_members(h),
        }


class HouseholdFilterSerializer(serializers.Serializer):
    """贫困户列表的查询参数。"""

    region = serializers.CharField(required=False, allow_blank=True, help_text="区划代码（6、9 或 12 位）：只列该区划内的户")
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=HouseholdStatus.choices,
                                     help_text="户状态")
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="户主姓名（包含）或户编号（开头）")


class HouseholdUpdateSerializer(serializers.Serializer):
    """可直接修改的字段，提供其中任意几个即可；取值由服务端校验，错误按字段以中文返回。"""

    # The fields are registry.services.HOUSEHOLD_EDITABLE. Only types are checked here; the
    # service validates the values.

    def get_fields(self):
        return {name: serializers.CharField(required=False, allow_blank=True, allow_null=True, label=label)
                for name, label in HOUSEHOLD_EDITABLE.items()}


# --- Users ----------------------------------------------------------------------------------


class UserSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(help_text="角色名称")
    region = RegionBriefSerializer(help_text="所属区划")
    is_locked = serializers.SerializerMethodField(help_text="是否因密码连续错误而锁定")

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "role_label", "region", "is_active", "is_locked",
                  "failed_logins", "locked_until", "last_login", "date_joined"]
        read_only_fields = fields

    def get_is_locked(self, user) -> bool:
        return bool(user.locked_until and user.locked_until > timezone.now())


# --- Audit ----------------------------------------------------------------------------------


class VerifyResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="审计日志链是否完整")
    checked = serializers.IntegerField(help_text="已校验的记录数")
    last_seq = serializers.IntegerField(help_text="最后一条完好记录的序号")
    broken_at_seq = serializers.IntegerField(allow_null=True, help_text="第一处断裂的序号")
    reason = serializers.CharField(allow_blank=True, help_text="断裂原因")
