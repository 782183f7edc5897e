"""扶贫小额信贷 (poverty micro-credit): rates and overdue loans over a region, the reminders due on a
day, a household's ratings and loans (record a rating, a loan), repayments and renewals.

Bodies go to `fupin.credit.services` as they come; a refused loan answers 400 with every failed
rule named per field (the rule, the values and the limit). Households and loans are opened through
the scoped gates: 404 outside scope, 403 in scope without the right (viewers, auditors, cadres).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.core.clock import today
from fupin.credit.choices import LoanStatus, UseCategory
from fupin.credit.selectors import (
    credit_report,
    household_credit_context,
    loan_access,
    loan_detail,
    loan_reminders,
)
from fupin.credit.services import loan_create, loan_renew, loan_repay, rating_create
from fupin.policy.selectors import PolicyMissing
from fupin.registry.selectors import household_access

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope

TAG = "扶贫小额信贷"
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
LOAN_ID = path_param("loan_id", "贷款 ID")
STATUS_HELP = "、".join(f"{c} {label}" for c, label in LoanStatus.choices)
USE_HELP = "、".join(f"{c} {label}" for c, label in UseCategory.choices)
MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": True}


# --- Shapes ----------------------------------------------------------------------------------------

class CreditOnQuerySerializer(serializers.Serializer):
    """统计日期。"""

    on = serializers.DateField(required=False, help_text="统计日期（YYYY-MM-DD，默认今天）")


class CreditPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值")
    region_code = serializers.CharField(help_text="参数所在区划（全国为 000000000000）")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class CreditTallySerializer(serializers.Serializer):
    loans = serializers.IntegerField(help_text="统计日前放款的贷款笔数（展期/续贷为新的一笔）")
    amount = serializers.DecimalField(help_text="放款金额（元）", **MONEY)
    balance = serializers.DecimalField(help_text="贷款余额（正常、逾期、违约贷款的未还本金）", **MONEY)
    overdue_loans = serializers.IntegerField(help_text="逾期（含违约）笔数")
    overdue_balance = serializers.DecimalField(help_text="逾期（含违约）余额", **MONEY)
    defaulted_loans = serializers.IntegerField(help_text="违约笔数")
    defaulted_balance = serializers.DecimalField(help_text="违约余额", **MONEY)
    matured = serializers.IntegerField(help_text="已到期（含宽限期）、未核销的贷款笔数")
    repaid_on_time = serializers.IntegerField(help_text="其中按期结清的笔数")
    renewed = serializers.IntegerField(help_text="已展期/续贷笔数")
    written_off = serializers.IntegerField(help_text="已核销笔数")
    filed_households = serializers.IntegerField(help_text="建档立卡户数（统计日状态为未脱贫、返贫、已脱贫）")
    households_with_loans = serializers.IntegerField(help_text="其中有贷款的户数")
    coverage_rate = serializers.FloatField(allow_null=True, help_text="获贷率 = 有贷款的户 ÷ 建档立卡户")
    overdue_rate = serializers.FloatField(allow_null=True, help_text="逾期率 = 逾期余额 ÷ 贷款余额（无余额为 null）")
    default_rate = serializers.FloatField(allow_null=True, help_text="违约率 = 违约余额 ÷ 贷款余额")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="按期还款率 = 按期结清 ÷ 已到期")


class CreditVillageSerializer(CreditTallySerializer):
    village_code = serializers.CharField(help_text="行政村区划代码")
    name = serializers.CharField(help_text="行政村名称")


class CreditLoanRowSerializer(serializers.Serializer):
    loan_id = serializers.IntegerField(help_text="贷款 ID")
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    village_code = serializers.CharField(help_text="行政村区划代码")
    village_name = serializers.CharField(help_text="行政村名称")
    borrower_name = serializers.CharField(help_text="借款人")
    contract_no = serializers.CharField(help_text="借款合同号")
    bank = serializers.CharField(help_text="放款银行")
    amount = serializers.DecimalField(help_text="贷款金额", **MONEY)
    start_date = serializers.DateField(help_text="放款日期")
    maturity_date = serializers.DateField(help_text="到期日期")
    principal_paid = serializers.DecimalField(help_text="统计日前已还本金", **MONEY)
    balance = serializers.DecimalField(help_text="统计日余额", **MONEY)
    state = serializers.CharField(help_text=f"统计日状态：{STATUS_HELP}")
    state_label = serializers.CharField(help_text="状态名称")
    overdue_days = serializers.IntegerField(help_text="超过到期日的天数（未逾期为 0）")
    days_to_maturity = serializers.IntegerField(help_text="距到期日天数（已过为负数）")
    reminder_due = serializers.BooleanField(help_text="统计日是否应提醒（到期日恰为提醒天数之后）")
    reminder_kind = serializers.CharField(allow_blank=True, help_text="notice 到期提醒（最大提醒天数）、written 书面通知")
    reminder_label = serializers.CharField(allow_blank=True, help_text="提醒方式名称")
    next_reminder_on = serializers.DateField(allow_null=True, help_text="下一次提醒日期（统计日之后；没有为 null）")
    explanation = serializers.CharField(help_text="中文说明")


class CreditReportSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="统计的区划")
    on = serializers.DateField(help_text="统计日期")
    rule = serializers.CharField(help_text="统计口径")
    totals = CreditTallySerializer(help_text="合计")
    by_village = CreditVillageSerializer(many=True, help_text="按行政村")
    overdue_count = serializers.IntegerField(help_text="逾期（含违约）贷款笔数")
    overdue = CreditLoanRowSerializer(many=True, help_text="逾期（含违约）贷款，逾期久的在前")
    reminders = CreditLoanRowSerializer(many=True, help_text="统计日应提醒的贷款")
    policy = CreditPolicyRowSerializer(many=True, help_text="用到的政策参数及其来源")


class CreditRemindersSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="统计的区划")
    on = serializers.DateField(help_text="统计日期")
    due_count = serializers.IntegerField(help_text="当日应提醒笔数")
    due = CreditLoanRowSerializer(many=True, help_text="到期日恰为 credit.reminder_days 中某一天数之后的正常贷款")
    upcoming = CreditLoanRowSerializer(many=True, help_text="其他将在最大提醒天数内到期的正常贷款及其下次提醒日期")
    policy = CreditPolicyRowSerializer(many=True, help_text="用到的政策参数及其来源")


class CreditRatingInputSerializer(serializers.Serializer):
    rated_on = serializers.DateField(required=False, help_text="评级日期（默认今天）")
    rating = serializers.CharField(help_text="信用等级（credit.rating_levels 中的等级，如 AAA、AA、A）")
    valid_until = serializers.DateField(required=False, help_text="授信有效期至（默认评级日期加 credit.rating_valid_months）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="说明")


class CreditRatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    rated_on = serializers.DateField(help_text="评级日期")
    rating = serializers.CharField(help_text="信用等级")
    credit_line = serializers.DecimalField(help_text="授信额度（元，按评级授信表）", **MONEY)
    valid_until = serializers.DateField(help_text="授信有效期至")
    note = serializers.CharField(allow_blank=True, help_text="说明")
    rated_by = serializers.CharField(help_text="录入人")
    policy = CreditPolicyRowSerializer(many=True, help_text="评定时所用政策参数")


class LoanInputSerializer(serializers.Serializer):
    borrower = serializers.IntegerField(help_text="借款人（该户成员 ID）")
    bank = serializers.CharField(max_length=60, help_text="放款银行")
    contract_no = serializers.CharField(max_length=60, help_text="借款合同号（同一银行内唯一）")
    amount = serializers.CharField(help_text="贷款金额（元，最多两位小数）")
    term_months = serializers.IntegerField(help_text="期限（月）")
    start_date = serializers.DateField(required=False, help_text="放款日期（默认今天，不能晚于今天）")
    annual_rate = serializers.CharField(help_text="年利率：小数（0.0435）或百分数（4.35）")
    subsidised = serializers.BooleanField(required=False, help_text="财政贴息（默认是）")
    subsidy_rate = serializers.CharField(required=False, help_text="贴息年利率（默认等于年利率，即全额贴息）")
    use_category = serializers.CharField(help_text=f"贷款用途类别（代码或名称；只有生产性用途可贷）：{USE_HELP}")
    declared_use = serializers.CharField(max_length=300, help_text="贷款用途说明")


class LoanRenewalInputSerializer(serializers.Serializer):
    contract_no = serializers.CharField(max_length=60, help_text="续贷借款合同号")
    term_months = serializers.IntegerField(help_text="期限（月）")
    start_date = serializers.DateField(required=False, help_text="续贷放款日期（默认原贷款到期日与今天中较早者）")
    amount = serializers.CharField(required=False, help_text="续贷金额（默认且最多为原贷款在续贷日的余额）")


class LoanRepaymentInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, help_text="还款日期（默认今天）")
    principal = serializers.CharField(required=False, help_text="归还本金（元，不超过余额）")
    interest = serializers.CharField(required=False, help_text="支付利息（元）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="说明")


class LoanRepaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    loan_id = serializers.IntegerField(help_text="贷款 ID")
    paid_on = serializers.DateField(help_text="还款日期")
    principal = serializers.DecimalField(help_text="归还本金", **MONEY)
    interest = serializers.DecimalField(help_text="支付利息", **MONEY)
    note = serializers.CharField(allow_blank=True, help_text="说明")


class LoanInstalmentSerializer(serializers.Serializer):
    due_on = serializers.DateField(help_text="应还日期")
    period_from = serializers.DateField(help_text="计息起日")
    days = serializers.IntegerField(help_text="计息天数")
    principal = serializers.DecimalField(help_text="应还本金（到期还本）", **MONEY)
    interest = serializers.DecimalField(help_text="应付利息（按季结息，实际天数/360）", **MONEY)
    subsidy = serializers.DecimalField(help_text="其中财政贴息", **MONEY)
    household_pays = serializers.DecimalField(help_text="农户应付（本金 + 利息 − 贴息）", **MONEY)


class LoanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    borrower_id = serializers.IntegerField(help_text="借款人成员 ID")
    borrower_name = serializers.CharField(help_text="借款人姓名")
    rating_id = serializers.IntegerField(help_text="放款依据的评级授信 ID")
    bank = serializers.CharField(help_text="放款银行")
    contract_no = serializers.CharField(help_text="借款合同号")
    amount = serializers.DecimalField(help_text="贷款金额", **MONEY)
    term_months = serializers.IntegerField(help_text="期限（月）")
    start_date = serializers.DateField(help_text="放款日期")
    maturity_date = serializers.DateField(help_text="到期日期（放款日期加期限）")
    annual_rate = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=True,
                                           help_text="年利率（小数）")
    subsidised = serializers.BooleanField(help_text="财政贴息")
    subsidy_rate = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=True,
                                            help_text="贴息年利率（小数）")
    use_category = serializers.CharField(help_text="贷款用途类别")
    declared_use = serializers.CharField(help_text="贷款用途说明")
    productive = serializers.BooleanField(help_text="生产性用途")
    status = serializers.CharField(help_text=f"记录的状态：{STATUS_HELP}")
    state = serializers.CharField(allow_blank=True, help_text="今天的状态（按日期和还款计算）")
    state_label = serializers.CharField(help_text="今天的状态名称")
    balance = serializers.DecimalField(help_text="今天的余额", **MONEY)
    overdue_days = serializers.IntegerField(help_text="超过到期日的天数")
    renewed_from_id = serializers.IntegerField(allow_null=True, help_text="展期/续贷自哪笔贷款")
    next_reminder_on = serializers.DateField(allow_null=True, help_text="下一次到期提醒日期")
    checks = serializers.JSONField(help_text="放款审核依据：各条规则、比较的数值和政策参数")
    schedule = LoanInstalmentSerializer(many=True, help_text="还款计划（按季结息、到期还本）")
    repayments = LoanRepaymentSerializer(many=True, help_text="还款记录")


class LoanListSerializer(serializers.Serializer):
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    on = serializers.DateField(help_text="今天")
    rating = CreditRatingSerializer(allow_null=True, help_text="今天有效的评级授信")
    balance = serializers.DecimalField(help_text="该户今天的贷款余额", **MONEY)
    loans = LoanSerializer(many=True, help_text="该户的贷款，放款晚的在前")


# --- Helpers ---------------------------------------------------------------------------------------

def rating_data(r) -> dict:
    return {"id": r.pk, "household_id": r.household_id, "rated_on": r.rated_on, "rating": r.rating,
            "credit_line": r.credit_line, "valid_until": r.valid_until, "note": r.note,
            "rated_by": r.rated_by.display_name, "policy": r.policy}


def loan_data(d: dict) -> dict:
    loan, state = d["loan"], d["state"]
    return {
        "id": loan.pk, "household_id": loan.household_id, "borrower_id": loan.borrower_id,
        "borrower_name": loan.borrower.name, "rating_id": loan.rating_id, "bank": loan.bank,
        "contract_no": loan.contract_no, "amount": loan.amount, "term_months": loan.term_months,
        "start_date": loan.start_date, "maturity_date": loan.maturity_date, "annual_rate": loan.annual_rate,
        "subsidised": loan.subsidised, "subsidy_rate": loan.subsidy_rate, "use_category": loan.use_category,
        "declared_use": loan.declared_use, "productive": loan.productive, "status": loan.status,
        "state": state.state if state else "", "state_label": state.label if state else "",
        "balance": state.balance if state else loan.amount, "overdue_days": state.overdue_days if state else 0,
        "renewed_from_id": loan.renewed_from_id, "next_reminder_on": d["next_reminder_on"], "checks": loan.checks,
        "schedule": [vars(i) for i in d["schedule"]],
        "repayments": [{"id": r.pk, "loan_id": r.loan_id, "paid_on": r.paid_on, "principal": r.principal,
                        "interest": r.interest, "note": r.note} for r in d["repayments"]],
    }


def _body(request) -> dict:
    if not hasattr(request.data, "items"):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象或表单"]})
    return dict(request.data.items())


def _on(request):
    params = CreditOnQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("on") or today()


def _one_loan(user, pk) -> dict:
    loan = loan_access(user, pk)
    return loan_data(loan_detail(user, loan, on=today()))


# --- Views -----------------------------------------------------------------------------------------

class RegionCreditView(ApiMixin, APIView):
    @extend_schema(
        operation_id="credit_report", tags=[TAG], summary="扶贫小额信贷统计（按行政村）",
        description="区划以下、当前用户可见的贷款：笔数、放款金额、余额、获贷率、逾期率、违约率、按期还款率，按行政村和"
                    "合计；并列出逾期（含违约）贷款和当日应提醒的贷款。到期日后（超过宽限天数）未结清为逾期，逾期超过 "
                    "credit.default_after_days 天为违约。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, CreditOnQuerySerializer],
        responses={200: CreditReportSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        on = _on(request)
        region = region_in_scope(request.user, code)
        try:
            report = credit_report(request.user, region_code=region.code, on=on)
        except PolicyMissing as exc:
            raise ValidationError({"on": [str(exc)]}) from None
        return Response(CreditReportSerializer(report.as_dict()).data)


class RegionCreditRemindersView(ApiMixin, APIView):
    @extend_schema(
        operation_id="credit_reminders", tags=[TAG], summary="扶贫小额信贷到期提醒",
        description="统计日应提醒的贷款：到期日恰在 credit.reminder_days（默认 60 天：到期提醒；30 天：书面通知）之后的"
                    "正常贷款，附下一次提醒日期；以及将在最大提醒天数内到期的其他正常贷款。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, CreditOnQuerySerializer],
        responses={200: CreditRemindersSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        on = _on(request)
        region = region_in_scope(request.user, code)
        try:
            report = loan_reminders(request.user, region_code=region.code, on=on)
        except PolicyMissing as exc:
            raise ValidationError({"on": [str(exc)]}) from None
        return Response(CreditRemindersSerializer(report.as_dict()).data)


class HouseholdLoansView(ApiMixin, APIView):
    @extend_schema(
        operation_id="loan_list", tags=[TAG], summary="一户的评级授信和贷款",
        description="今天有效的评级授信、贷款余额，以及每笔贷款的状态、还款计划和还款记录。户在范围以外时返回 404。",
        parameters=[HOUSEHOLD_ID], responses={200: LoanListSerializer, **error_responses(401, 404)},
    )
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        s = household_credit_context(request.user, household)["credit_section"]
        return Response(LoanListSerializer({
            "household_id": household.pk, "on": s["on"], "rating": rating_data(s["rating"]) if s["rating"] else None,
            "balance": s["balance"], "loans": [loan_data(d) for d in s["loans"]]}).data)

    @extend_schema(
        operation_id="loan_create", tags=[TAG], summary="登记一笔扶贫小额信贷",
        description="村级信息员、乡镇审核员、县级审批员可登记（其他角色 403）。不合规的贷款返回 400，按字段列出每条未通过"
                    "的规则及其数值：户在放款日未建档立卡或不在可贷状态、借款人不是在册成员或年龄不在 18–65 周岁（按政策"
                    "参数）、金额超过单户上限或授信额度或户贷款余额上限、期限超过上限、非生产性用途、没有有效的评级授信。",
        parameters=[HOUSEHOLD_ID], request=LoanInputSerializer,
        responses={201: LoanSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        loan = loan_create(actor=request.user, household_id=household_id, data=_body(request))
        return Response(LoanSerializer(_one_loan(request.user, loan.pk)).data, status=201)


class HouseholdCreditRatingView(ApiMixin, APIView):
    @extend_schema(
        operation_id="credit_rating_create", tags=[TAG], summary="评级授信",
        description="按评级授信表（credit.rating_levels）确定授信额度；有效期默认 credit.rating_valid_months 个月。",
        parameters=[HOUSEHOLD_ID], request=CreditRatingInputSerializer,
        responses={201: CreditRatingSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        rating = rating_create(actor=request.user, household_id=household_id, data=_body(request))
        return Response(CreditRatingSerializer(rating_data(rating)).data, status=201)


class LoanRepaymentsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="loan_repayment_create", tags=[TAG], summary="登记还款",
        description="本金不能超过余额；还清后贷款为已结清。已展期、已结清、已核销的贷款不能再登记还款。",
        parameters=[LOAN_ID], request=LoanRepaymentInputSerializer,
        responses={201: LoanSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, loan_id: int):
        loan_repay(actor=request.user, loan_id=loan_id, data=_body(request))
        return Response(LoanSerializer(_one_loan(request.user, loan_id)).data, status=201)


class LoanRenewalView(ApiMixin, APIView):
    @extend_schema(
        operation_id="loan_renewal_create", tags=[TAG], summary="展期/续贷",
        description="生成一笔关联原贷款的新贷款，金额最多为原贷款余额，并重新审核全部放款规则；已违约的贷款不能展期，"
                    "次数不超过 credit.max_renewals。",
        parameters=[LOAN_ID], request=LoanRenewalInputSerializer,
        responses={201: LoanSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, loan_id: int):
        loan = loan_renew(actor=request.user, loan_id=loan_id, data=_body(request))
        return Response(LoanSerializer(_one_loan(request.user, loan.pk)).data, status=201)
