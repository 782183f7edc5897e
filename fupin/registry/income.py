"""Net and per-capita income (家庭纯收入, 年人均纯收入): derived from the components, never typed."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def net_income(*, wage_income, business_income, business_cost, property_income, transfer_income) -> Decimal:
    """工资性 + (生产经营性 − 生产经营费用) + 财产性 + 转移性 (policy subsidies are part of 转移性)."""
    total = (Decimal(wage_income) + Decimal(business_income) - Decimal(business_cost)
             + Decimal(property_income) + Decimal(transfer_income))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def per_capita(net: Decimal, household_size: int) -> Decimal:
    if household_size <= 0:
        return Decimal("0.00")
    return (Decimal(net) / household_size).quantize(CENT, rounding=ROUND_HALF_UP)


def derive(values: dict, household_size: int) -> tuple[Decimal, Decimal]:
    net = net_income(**{k: values.get(k) or 0 for k in (
        "wage_income", "business_income", "business_cost", "property_income", "transfer_income")})
    return net, per_capita(net, household_size)
