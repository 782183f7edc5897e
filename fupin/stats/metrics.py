"""The one table of what is counted (指标说明): code, Chinese label, definition, source.

"Year end" is 31 December of the year. A household's status at year end is the `to_status` of its
latest HouseholdStatusEvent effective by then (registry.selectors_status); "in the registry"
means it had an event by then and its status is neither 已清退 nor 已销户. Persons of a household
at year end are its members present that day (born by then, not left by then). Main cause and
attribute are the household's current values (the registry keeps no history of them).

Every metric is additive over regions: a region's value is the sum over the base rows under it
(villages, and rows recorded directly at a township/county code such as projects or ledger items).
Ratios are computed on read from the stored numerator and denominator.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    definition: str
    source: str
    keyed_by: str = ""  # what `key` holds ("" = a single value)
    money: bool = False  # stored in fen


METRICS = [
    Metric("households", "在册户数", "年末在册（状态不是已清退、已销户）的户数", "registry.HouseholdStatusEvent"),
    Metric("persons", "在册人数", "年末在册户的年末在册成员数", "registry.Member"),
    Metric("status_households", "按年末状态户数", "年末各状态户数（含已清退、已销户）", "registry.HouseholdStatusEvent",
           "status"),
    Metric("status_persons", "按年末状态人数", "年末各状态户的年末成员数", "registry.Member", "status"),
    Metric("poor_households", "剩余贫困户数", "年末状态为未脱贫或返贫（POOR_STATUSES）的户数",
           "registry.HouseholdStatusEvent"),
    Metric("poor_persons", "剩余贫困人口", "剩余贫困户的年末成员数；贫困发生率的分子", "registry.Member"),
    Metric("event_households", "年度变动户数", "当年生效的状态变动按类型的户数（同户同类计一次）：新识别、已脱贫、返贫、"
           "清退/剔除、自然减少 …；与 status_change_counts 口径相同", "registry.HouseholdStatusEvent", "kind"),
    Metric("event_persons", "年度变动人数", "同上的人数：变动当年家庭人口，无年度数据时为生效日在册成员数",
           "registry.HouseholdStatusEvent", "kind"),
    Metric("cause_households", "按主要致贫原因户数", "年末在册户按主要致贫原因", "registry.Household.main_cause",
           "cause"),
    Metric("cause_persons", "按主要致贫原因人数", "年末在册户的成员按主要致贫原因", "registry.Household.main_cause",
           "cause"),
    Metric("attribute_households", "按贫困户属性户数", "年末在册户按属性（一般、低保、特困供养）",
           "registry.Household.attribute", "attribute"),
    Metric("attribute_persons", "按贫困户属性人数", "年末在册户的成员按属性", "registry.Household.attribute",
           "attribute"),
    Metric("monitored_households", "监测户数", "年末处于监测中的监测对象户数：识别监测时间不晚于年末、"
           "未消除或消除时间晚于年末", "monitoring.MonitoringCase"),
    Metric("helped_households", "有帮扶责任人户数", "年末在册户中年末有结对帮扶责任人的户数（帮扶覆盖率的分子，"
           "分母为在册户数）", "helpers.HelperAssignment"),
    Metric("visited_households", "年内走访户数", "年末在册户中当年至少走访一次的户数（走访率的分子）", "visits.Visit"),
    Metric("rural_population", "乡村人口", "贫困发生率的分母：县内有村级人口数据时为各村之和，否则用县级数据；"
           "乡镇、村只有村级数据时才有", "exits.RegionPopulation"),
    Metric("population_source", "乡村人口来源", "采用村级（village）或县级（county）人口数据的县个数",
           "exits.RegionPopulation", "source"),
    Metric("measures", "帮扶措施数", "当年帮扶计划中未取消的措施数，按措施类型", "plans.PlanMeasure", "measure_type"),
    Metric("measures_completed", "已完成帮扶措施数", "其中已完成的措施数，按措施类型", "plans.PlanMeasure",
           "measure_type"),
    Metric("projects", "项目个数", "当年度项目库中的项目数（按项目地点）", "funds.Project"),
    Metric("projects_completed", "已完成项目个数", "其中已验收、已公告公示或已销号的项目数", "funds.Project"),
    Metric("disbursed", "资金拨付额", "当年度资金的拨付金额（按项目地点，分）", "funds.Disbursement", money=True),
    Metric("ledger_found", "问题发现数", "当年发现的问题台账事项数（按所属区划）", "ledger.LedgerItem"),
    Metric("ledger_closed", "问题销号数", "其中年末前已销号的事项数；整改率 = 销号数 ÷ 发现数", "ledger.LedgerItem"),
]
BY_CODE = {m.code: m for m in METRICS}
