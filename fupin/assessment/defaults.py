"""The national default schemes (全国默认考核方案) for counties and townships, from 2016.

Every number here is configurable [cfg]: a province, city or county sets its own scheme (same
shape, `fupin set_assessment_scheme FILE.json`), which then wins for the regions under it.
Weights sum to 100 points. Rates are fractions (0.02 = 2 %)."""

NATIONAL_YEAR_FROM = 2016

INDICATORS = [
    # code, weight [cfg], direction, method, target [cfg], floor [cfg], empty_full
    {"code": "poverty_reduction", "weight": "20", "direction": "higher", "method": "linear",
     "target": "1", "floor": "0"},
    {"code": "income_growth", "weight": "10", "direction": "higher", "method": "linear",
     "target": "0.10", "floor": "0"},
    {"code": "wrong_exit_rate", "weight": "10", "direction": "lower", "method": "linear",
     "target": "0", "floor": "0.02"},
    {"code": "missed_rate", "weight": "10", "direction": "lower", "method": "linear",
     "target": "0", "floor": "0.02"},
    {"code": "helper_coverage", "weight": "10", "direction": "higher", "method": "linear",
     "target": "1", "floor": "0.8"},
    {"code": "visit_rate", "weight": "10", "direction": "higher", "method": "linear",
     "target": "1", "floor": "0.6"},
    {"code": "disbursement_rate", "weight": "10", "direction": "higher", "method": "linear",
     "target": "0.9", "floor": "0.5"},
    {"code": "rectification_rate", "weight": "10", "direction": "higher", "method": "linear",
     "target": "1", "floor": "0.6", "empty_full": True},
    {"code": "satisfaction", "weight": "10", "direction": "higher", "method": "linear",
     "target": "0.95", "floor": "0.9"},
]

VETOES = [
    # metric, op, threshold [cfg], reason
    {"metric": "wrong_exit_rate", "op": "gt", "threshold": "0.02", "reason": "错退率超过 2%"},
    {"metric": "missed_rate", "op": "gt", "threshold": "0.02", "reason": "漏评率超过 2%"},
    {"metric": "satisfaction", "op": "lt", "threshold": "0.9", "reason": "群众认可度低于 90%"},
    {"metric": "serious_ledger_overdue", "op": "gt", "threshold": "0", "reason": "巡视督查、审计发现问题逾期未整改"},
]


def national_scheme(level: str) -> dict:
    name = {"county": "全国默认县级考核方案", "township": "全国默认乡镇考核方案"}[level]
    return {"name": name, "source": "系统默认（各项分值、目标、底线和否决阈值均可由各地自定）",
            "indicators": INDICATORS, "vetoes": VETOES}
