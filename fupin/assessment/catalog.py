"""What can be measured (考核指标口径): every metric a scheme's indicator or veto rule may name.

Each value is a fraction numerator ÷ denominator (or a count) computed by sources.py for all
assessed regions at once; missing data is 缺少数据 with the reason, never guessed."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricDef:
    code: str
    label: str
    definition: str
    source: str
    ratio: bool = True  # False: a count (denominator not used)


METRICS = [
    MetricDef("poverty_reduction", "减贫任务完成率",
              "（上年末剩余贫困人口 − 当年末剩余贫困人口）÷ 当年减贫任务（人）", "统计汇总 poor_persons；减贫任务表"),
    MetricDef("income_growth", "贫困户人均纯收入增幅",
              "（当年人均纯收入 − 上年人均纯收入）÷ 上年人均纯收入；人均 = 建档立卡户（不含已清退、已销户）"
              "纯收入合计 ÷ 家庭人口合计", "registry.HouseholdYear"),
    MetricDef("wrong_exit_rate", "错退率", "脱贫人口抽查中错退人数 ÷ 抽查人数", "exits.VerificationSample"),
    MetricDef("missed_rate", "漏评率", "非建档立卡人口抽查中漏评人数 ÷ 抽查人数", "exits.VerificationSample"),
    MetricDef("satisfaction", "群众认可度", "认可人数 ÷ 群众认可度调查人数", "exits.VerificationSample"),
    MetricDef("helper_coverage", "帮扶责任人覆盖率", "年末有结对帮扶责任人的在册户 ÷ 年末在册户",
              "统计汇总 helped_households / households"),
    MetricDef("visit_rate", "走访覆盖率", "当年至少走访一次的在册户 ÷ 年末在册户",
              "统计汇总 visited_households / households"),
    MetricDef("disbursement_rate", "项目资金拨付率", "当年度项目拨付金额 ÷ 项目资金安排（按项目地点，元）",
              "funds.ProjectFunding / funds.Disbursement"),
    MetricDef("rectification_rate", "问题整改率", "当年发现的问题中年末前已销号数 ÷ 当年发现数",
              "统计汇总 ledger_closed / ledger_found"),
    MetricDef("serious_ledger_overdue", "巡视督查、审计问题逾期未整改数",
              "来源为巡视督查或审计、截至年末（当年则为今天）仍待整改或整改中且已过整改时限的问题数（按当前状态）",
              "ledger.LedgerItem", ratio=False),
]
BY_CODE = {m.code: m for m in METRICS}
