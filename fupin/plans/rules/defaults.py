"""National default plan rules, installed by data migration (rows a database already has are kept).

Suggestion rules (S…) map household facts to a measure; contradiction rules (C…) name a measure
that does not fit the household. Each carries its explanation and where it comes from. A province
overrides a rule with a row of the same code on the province (or disables it: active false).
"""

from fupin.regions.codes import NATION_CODE

YEAR_FROM = 2014

# (code, kind, name, measure_type, condition, explanation)
DEFAULT_RULES = [
    ("S01", "suggest", "全家无劳动力", "basic_security",
     [{"fact": "labour_none_all", "op": "eq", "value": True}],
     "全家无普通、技能、弱或半劳动力，无法依靠生产就业增收：纳入低保或特困供养，社会保障兜底（五个一批）。"),
    ("S02", "suggest", "有义务教育阶段在校生", "education_aid",
     [{"fact": "compulsory_students", "op": "gte", "value": 1}],
     "义务教育阶段在校生享受“两免一补”等教育资助，保障义务教育不因贫失学（三保障）。"),
    ("S03", "suggest", "有中职、高职在校生", "rain_dew",
     [{"fact": "vocational_students", "op": "gte", "value": 1}],
     "贫困家庭子女接受中职、高职教育的，按雨露计划给予补助（发展教育脱贫）。"),
    ("S04", "suggest", "有普通高中、本科在校生", "education_aid",
     [{"fact": "senior_university_students", "op": "gte", "value": 1}],
     "普通高中在校生免学杂费、享受国家助学金，本科生可申请生源地助学贷款（教育资助）。"),
    ("S05", "suggest", "危房未搬迁", "housing",
     [{"fact": "danger_grade", "op": "in", "policy": "exit.unsafe_danger_grades"},
      {"fact": "relocated", "op": "eq", "value": False}],
     "住房鉴定为不安全的危房等级（政策参数 exit.unsafe_danger_grades，默认C级、D级）且未易地扶贫搬迁："
     "实施危房改造，保障住房安全（三保障）。"),
    ("S06", "suggest", "饮水不安全", "water",
     [{"fact": "water_unsafe", "op": "eq", "value": True}],
     "饮水不安全或饮水困难：实施农村饮水安全工程或入户改造（退出标准：饮水安全有保障）。"),
    ("S07", "suggest", "因病或有大病、慢性病成员", "health",
     [{"any": [{"fact": "causes", "op": "contains", "value": "illness"},
               {"fact": "sick_members", "op": "gte", "value": 1}]}],
     "因病致贫或有患大病、长期慢性病成员：资助参加城乡居民医保，落实大病保险、医疗救助和家庭医生签约"
     "（健康帮扶，基本医疗有保障）。"),
    ("S08", "suggest", "有残疾成员", "disability_allowance",
     [{"fact": "disabled_members", "op": "gte", "value": 1}],
     "有残疾成员：落实困难残疾人生活补贴和重度残疾人护理补贴（两项补贴）。"),
    ("S09", "suggest", "有劳动力且缺技术", "skills_training",
     [{"fact": "labour_count", "op": "gte", "value": 1},
      {"fact": "causes", "op": "contains", "value": "lack_skills"}],
     "有普通或技能劳动力、因缺技术致贫：组织参加职业技能培训或实用技术培训（就业帮扶）。"),
    ("S10", "suggest", "有劳动力且缺资金", "microcredit",
     [{"fact": "causes", "op": "contains", "value": "lack_funds"},
      {"fact": "labour_ages", "op": "any_between", "value": [18, 65]}],
     "因缺资金致贫、有18–65周岁的普通或技能劳动力：评级授信后申请扶贫小额信贷（5万元以下、3年以内、"
     "免担保免抵押、基准利率、财政贴息）用于发展生产。"),
    ("S11", "suggest", "有劳动力", "industry",
     [{"fact": "labour_count", "op": "gte", "value": 1}],
     "有普通或技能劳动力：结合本村主导产业发展种养殖业，落实产业奖补（发展生产脱贫）。"),
    ("S12", "suggest", "仅有弱劳动力或半劳动力", "public_job",
     [{"fact": "weak_labour_count", "op": "gte", "value": 1}, {"fact": "labour_count", "op": "eq", "value": 0}],
     "只有弱劳动力或半劳动力、不能外出务工：安排保洁、护林、护路等公益性岗位（就业帮扶）。"),
    ("C01", "contradict", "技能培训但无劳动力", "skills_training",
     [{"fact": "labour_count", "op": "eq", "value": 0}],
     "技能培训面向有普通或技能劳动力的成员；该户没有这样的成员，措施与户情不符。"),
    ("C02", "contradict", "转移就业但无劳动力", "employment",
     [{"fact": "labour_count", "op": "eq", "value": 0}],
     "转移就业须有能外出务工的普通或技能劳动力；该户没有，措施与户情不符。"),
    ("C03", "contradict", "教育资助但无在校生", "education_aid",
     [{"fact": "students", "op": "eq", "value": 0}],
     "教育资助面向在校生（含学前教育）；该户当年没有在校生。"),
    ("C04", "contradict", "雨露计划但无中职、高职在校生", "rain_dew",
     [{"fact": "vocational_students", "op": "eq", "value": 0}],
     "雨露计划补助中职、高职在校生；该户当年没有中职、高职在校生。"),
    ("C05", "contradict", "危房改造但住房安全或已搬迁", "housing",
     [{"any": [{"fact": "danger_grade", "op": "in", "value": ["A", "B"]},
               {"fact": "relocated", "op": "eq", "value": True}]}],
     "危房改造面向C级、D级危房户；该户住房为A级或B级，或已易地扶贫搬迁。"),
    ("C06", "contradict", "残疾人补贴但无残疾成员", "disability_allowance",
     [{"fact": "disabled_members", "op": "eq", "value": 0}],
     "残疾人两项补贴面向持证残疾人；该户当年没有残疾成员。"),
    ("C07", "contradict", "小额信贷但无适龄劳动力", "microcredit",
     [{"not": {"fact": "labour_ages", "op": "any_between", "value": [18, 65]}}],
     "扶贫小额信贷的借款人须为18–65周岁、有劳动能力的建档立卡贫困户成员；该户没有这样的成员。"),
    ("C08", "contradict", "饮水安全措施但饮水已安全", "water",
     [{"fact": "water_unsafe", "op": "eq", "value": False}],
     "该户当年饮水安全且无饮水困难，饮水安全措施与户情不符。"),
    ("C09", "contradict", "公益性岗位但全家无劳动力", "public_job",
     [{"fact": "labour_none_all", "op": "eq", "value": True}],
     "公益性岗位须有能上岗的成员（含弱劳动力、半劳动力）；该户全家无劳动力。"),
]


def default_rows() -> list[dict]:
    return [{"code": code, "kind": kind, "name": name, "measure_type": measure_type, "condition": condition,
             "explanation": explanation, "region_code": NATION_CODE, "year_from": YEAR_FROM, "active": True,
             "position": i * 10, "updated_by_name": "系统默认"}
            for i, (code, kind, name, measure_type, condition, explanation) in enumerate(DEFAULT_RULES, 1)]


def install_missing(apps) -> int:
    """Insert the national default rules a database does not have yet; edited rows are kept."""
    PlanRule = apps.get_model("plans", "PlanRule")
    have = set(PlanRule.objects.values_list("code", "region_code", "year_from"))
    rows = [PlanRule(**r) for r in default_rows() if (r["code"], r["region_code"], r["year_from"]) not in have]
    PlanRule.objects.bulk_create(rows)
    return len(rows)
