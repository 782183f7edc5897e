"""扶贫小额信贷 (poverty micro-credit): credit ratings (评级授信), loans and their repayments.

Every table repeats the household's village code (`village`) so scoping is one range condition on
its own indexed column. Written only by `credit.services`; every change is audited.
"""

from django.conf import settings
from django.db import models

from fupin.regions.models import Region
from fupin.registry.models import Household, Member

from .choices import LoanStatus, UseCategory

MONEY = {"max_digits": 12, "decimal_places": 2}


class CreditRating(models.Model):
    """评级授信: a household's credit rating on a day and the credit line (授信额度) it gives.

    The line is read from `credit.rating_levels` (rating → yuan) for the household's village and the
    rating's year when the rating is recorded; `policy` keeps the rows used, so the line can be
    explained later even if the table changes. Valid from `rated_on` to `valid_until` inclusive
    (`credit.rating_valid_months` after `rated_on` unless given shorter)."""

    household = models.ForeignKey(Household, verbose_name="贫困户", on_delete=models.PROTECT,
                                  related_name="credit_ratings")
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    rated_on = models.DateField("评级日期")
    rating = models.CharField("信用等级", max_length=10)
    credit_line = models.DecimalField("授信额度（元）", **MONEY)
    valid_until = models.DateField("授信有效期至")
    note = models.CharField("说明", max_length=300, blank=True)
    policy = models.JSONField("所用政策参数", default=list, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评级录入人", on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "评级授信"
        verbose_name_plural = "评级授信"
        ordering = ["-rated_on", "-id"]
        indexes = [models.Index(fields=["household", "rated_on"]), models.Index(fields=["village", "rated_on"])]

    def __str__(self) -> str:
        return f"{self.rating} 级，授信 {self.credit_line} 元（{self.rated_on:%Y-%m-%d}，户 {self.household_id}）"


class Loan(models.Model):
    """One 扶贫小额信贷 loan to a member of a registered household.

    Amounts in yuan. `maturity_date` = `start_date` + `term_months` (derived on save by the
    service). Interest: `annual_rate` (e.g. 0.0435 = 4.35 %, the benchmark rate); with `subsidised`
    (财政贴息) `subsidy_rate` of it (annual, ≤ annual_rate) is paid by the county, the household pays
    the rest. Schedule (derived, `schedule.py`): interest quarterly (按季结息), principal at maturity
    (到期还本) — repayments before maturity are allowed and lower the balance.
    `status` is the standing as last recorded (refreshed by `loans_refresh_status`); reports compute
    the standing on any day from the dates and repayments."""

    household = models.ForeignKey(Household, verbose_name="贫困户", on_delete=models.PROTECT, related_name="loans")
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    borrower = models.ForeignKey(Member, verbose_name="借款人", on_delete=models.PROTECT, related_name="loans")
    rating = models.ForeignKey(CreditRating, verbose_name="评级授信", on_delete=models.PROTECT, related_name="loans")
    bank = models.CharField("放款银行", max_length=60)
    contract_no = models.CharField("借款合同号", max_length=60)
    amount = models.DecimalField("贷款金额（元）", **MONEY)
    term_months = models.PositiveSmallIntegerField("期限（月）")
    start_date = models.DateField("放款日期")
    maturity_date = models.DateField("到期日期")
    annual_rate = models.DecimalField("年利率", max_digits=6, decimal_places=4)
    subsidised = models.BooleanField("财政贴息", default=True)
    subsidy_rate = models.DecimalField("贴息年利率", max_digits=6, decimal_places=4, default=0)
    use_category = models.CharField("贷款用途类别", max_length=20, choices=UseCategory.choices)
    declared_use = models.CharField("贷款用途说明", max_length=300)
    productive = models.BooleanField("生产性用途", default=True)
    status = models.CharField("贷款状态", max_length=20, choices=LoanStatus.choices, default=LoanStatus.NORMAL)
    status_on = models.DateField("状态日期", null=True, blank=True)
    renewed_from = models.OneToOneField("self", verbose_name="展期/续贷自", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="renewal")
    checks = models.JSONField("放款审核依据", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "扶贫小额信贷"
        verbose_name_plural = "扶贫小额信贷"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["household", "start_date"]), models.Index(fields=["village", "maturity_date"]),
                   models.Index(fields=["village", "start_date"])]
        constraints = [models.UniqueConstraint(fields=["bank", "contract_no"], name="credit_loan_bank_contract")]

    def __str__(self) -> str:
        return f"{self.contract_no} {self.amount} 元（户 {self.household_id}）"


class LoanRepayment(models.Model):
    """A repayment (还款) of principal and/or interest on a day."""

    loan = models.ForeignKey(Loan, verbose_name="贷款", on_delete=models.PROTECT, related_name="repayments")
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField("还款日期")
    principal = models.DecimalField("归还本金（元）", default=0, **MONEY)
    interest = models.DecimalField("支付利息（元）", default=0, **MONEY)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "还款记录"
        verbose_name_plural = "还款记录"
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["loan", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.paid_on:%Y-%m-%d} 本金 {self.principal} 利息 {self.interest}（贷款 {self.loan_id}）"
