"""National default policy values, loaded by migration and by `fupin load_policy`.

Each row: (key, year_from, value, unit, source/note). Figures and their status come from
shared/DOMAIN.md; [cfg] marks our own default, to be overridden per province.
"""

NATIONAL_DEFAULTS = [
    # --- Registry data quality (数据质量校验) ---
    ("quality.labour_min_age", 2014, 16, "岁", "[cfg] 未满16周岁不得认定为劳动力（劳动法）"),
    ("quality.adult_age", 2014, 18, "岁", "[cfg] 成年年龄：成年人在读小学须备注"),
    ("quality.preschool_max_age", 2014, 6, "岁", "[cfg] 超过此年龄仍为学龄前儿童视为矛盾"),
    ("quality.senior_min_age", 2014, 14, "岁", "[cfg] 不满此年龄而文化程度或在读为高中、中专视为矛盾"),
    ("quality.college_min_age", 2014, 16, "岁", "[cfg] 不满此年龄而文化程度或在读为大专、本科视为矛盾"),
    ("quality.per_capita_income_min", 2014, 0, "元", "[v] 人均纯收入≤0 为异常（DOMAIN §Cross-checks）"),
    ("quality.per_capita_income_max", 2014, 100000, "元", "[v] 人均纯收入>100,000 为异常（DOMAIN §Cross-checks）"),
    ("quality.income_tolerance", 2014, 1, "元", "[cfg] 申报合计与分项之和允许的误差"),
    ("registry.max_other_causes", 2014, 2, "项", "[v] 主要致贫原因外最多两项其他原因"),
    # --- Imports ---
    ("import.max_file_mb", 2014, 50, "MB", "[cfg] 导入文件大小上限"),
    # --- Standards (扶贫标准): yuan per person per year at current prices ---
    ("poverty_line", 2011, 2536, "元/人·年", "[v] 国家扶贫标准（2010年不变价2300元）当年价"),
    ("poverty_line", 2012, 2625, "元/人·年", "[v] 国家扶贫标准当年价"),
    ("poverty_line", 2013, 2736, "元/人·年", "[v] 国家扶贫标准当年价"),
    ("poverty_line", 2014, 2800, "元/人·年", "[v] 国家扶贫标准当年价；自2014年按人均可支配收入"),
    ("poverty_line", 2015, 2855, "元/人·年", "[v] 国家扶贫标准当年价"),
    ("poverty_line", 2016, 2952, "元/人·年", "[v] 国家扶贫标准当年价"),
    ("poverty_line", 2017, 3335, "元/人·年", "[local] 未经国家公布确认，各地可修改"),
    ("poverty_line", 2018, 3535, "元/人·年", "[local] 未经国家公布确认，各地可修改"),
    ("poverty_line", 2019, 3747, "元/人·年", "[local] 未经国家公布确认，各地可修改"),
    ("poverty_line", 2020, 4000, "元/人·年", "[v] 约4000元"),
    # 防止返贫监测范围: about 1.5 times the poverty line; provinces set their own later.
    ("monitoring_line", 2020, 6000, "元/人·年", "[v] 2021年监测范围6000元"),
    # --- Identification (精准识别) ---
    ("identification.borderline_ratio", 2014, 0.1, "比例",
     "[cfg] 人均收入与标准相差在此比例以内的申请户列为临界户，重点核实"),
    ("workflow.identification.steps", 2014, [
        {"code": "apply", "name": "农户申请", "kind": "action", "role": "village_clerk"},
        {"code": "appraisal", "name": "民主评议", "kind": "vote", "role": "village_clerk", "pass_ratio": 0.5},
        {"code": "verify", "name": "村委会和驻村工作队核实", "kind": "action", "role": "village_clerk"},
        {"code": "notice1", "name": "第一次公示", "kind": "notice", "role": "village_clerk", "days": 7},
        {"code": "township_review", "name": "乡镇审核", "kind": "action", "role": "township_reviewer"},
        {"code": "notice2", "name": "第二次公示", "kind": "notice", "role": "village_clerk", "days": 7},
        {"code": "county_approval", "name": "县级审批", "kind": "action", "role": "county_approver"},
        {"code": "announce", "name": "公告", "kind": "announcement", "role": "county_approver"},
        {"code": "register", "name": "建档立卡", "kind": "effect", "role": "village_clerk"},
    ], "步骤", "[v] 农户申请→民主评议→核实→第一次公示→乡镇审核→第二次公示→县级审批→公告→建档立卡"),
    # --- Exit (贫困退出) ---
    ("workflow.exit.steps", 2016, [
        {"code": "appraisal", "name": "村两委民主评议提出", "kind": "vote", "role": "village_clerk",
         "pass_ratio": 0.5},
        {"code": "verify", "name": "村两委和驻村工作队核实", "kind": "action", "role": "village_clerk"},
        {"code": "consent", "name": "拟退出户认可", "kind": "action", "role": "village_clerk"},
        {"code": "notice", "name": "村内公示", "kind": "notice", "role": "village_clerk", "days": 7},
        {"code": "announce", "name": "公告退出", "kind": "announcement", "role": "township_reviewer"},
        {"code": "close", "name": "销号", "kind": "effect", "role": "county_approver"},
    ], "步骤", "[v] 民主评议→核实→户认可→公示→公告退出→销号（2016年贫困退出机制）"),
    # Attachments of the identification and exit procedures (申请书、评议记录、核实表、公示照片 …).
    ("attachment.max_mb", 2014, 10, "MB", "[cfg] 程序附件单个文件大小上限"),
    ("attachment.allowed_types", 2014, ["pdf", "jpg", "jpeg", "png"], "扩展名", "[cfg] 程序附件允许的文件类型"),
    ("attachment.max_files", 2014, 10, "个", "[cfg] 每个办理步骤最多上传的附件数"),
    ("exit.compulsory_school_age_from", 2014, 6, "岁", "[cfg] 义务教育适龄起始年龄（按当年12月31日计）"),
    ("exit.compulsory_school_age_to", 2014, 15, "岁", "[cfg] 义务教育适龄截止年龄（含）"),
    ("exit.unsafe_danger_grades", 2014, ["C", "D"], "等级", "[cfg] 视为住房不安全的危房等级（已搬迁的除外）"),
    ("exit.policy_retention_years", 2016, 5, "年", "[cfg] 脱贫不脱政策：退出后继续享受政策的年数"),
    # Village and county exit (贫困村出列, 贫困县摘帽); western provinces override the incidence.
    ("region_exit.max_incidence", 2016, 0.02, "比例", "[v] 贫困发生率低于2%（西部地区低于3%）"),
    ("county_exit.max_wrong_exit_rate", 2016, 0.02, "比例", "[v] 错退率低于2%"),
    ("county_exit.max_missed_rate", 2016, 0.02, "比例", "[v] 漏评率低于2%"),
    ("county_exit.min_satisfaction", 2016, 0.90, "比例", "[v] 群众认可度不低于90%"),
    ("village_exit.criteria", 2016, [
        {"field": "hardened_road", "op": "eq", "value": True, "label": "通沥青（水泥）路到乡镇"},
        {"field": "power_grid", "op": "eq", "value": True, "label": "通动力电"},
        {"field": "clinics", "op": "gte", "value": 1, "label": "有标准化村卫生室"},
        {"field": "doctors", "op": "gte", "value": 1, "label": "有执业（助理）医师或乡村医生"},
        {"field": "culture_rooms", "op": "gte", "value": 1, "label": "有村文化（图书）室"},
        {"field": "unsafe_water_households", "op": "eq", "value": 0, "label": "无未实现饮水安全户"},
        {"field": "collective_income_10k", "op": "gt", "value": 0, "label": "有村级集体经济收入"},
    ], "条件", "[cfg] 贫困村出列的基础设施、公共服务和集体经济条件，各省可改"),
    # --- Helpers, visits and plans (精准帮扶) ---
    ("helpers.max_households_per_cadre", 2014, 10, "户", "[cfg] 每名帮扶责任人结对户数上限"),
    ("helpers.village_support_years_after_exit", 2014, 5, "年",
     "[cfg] 四个不摘（摘帽不摘帮扶）：贫困村出列后仍须有帮扶单位和驻村工作队的年数"),
    ("visits.max_days_between", 2014, 30, "天", "[cfg] 帮扶责任人对每户两次走访的最长间隔（至少每月一次）"),
    ("visits.photo_max_mb", 2014, 5, "MB", "[cfg] 走访照片大小上限"),
    ("visits.photo_types", 2014, ["jpg", "jpeg", "png"], "类型", "[cfg] 走访照片允许的文件类型"),
    ("visits.due_soon_days", 2014, 7, "天", "[cfg] 距最迟走访日不超过此天数的户列为“即将到期”（帮扶责任人首页）"),
    ("visits.counted_kinds", 2014, ["home", "group"], "走访方式",
     "[cfg] 计入走访频次的走访方式：home 入户走访、group 集中帮扶（phone 电话联系、other 其他不计）"),
    ("plans.copy_similarity", 2014, 0.9, "比例", "[cfg] 同村两户帮扶计划相似度达到此值且致贫原因不同，列为措施雷同"),
    ("plans.copy_min_measures", 2014, 3, "项", "[cfg] 措施少于此数的帮扶计划不作雷同比较（一两项标准措施相同的计划很常见，不足以说明照抄）"),
    # --- 扶贫小额信贷 (poverty micro-credit; fupin/credit) ---
    ("credit.max_amount", 2014, 50000, "元", "[v] 扶贫小额信贷单户额度5万元以下（含5万元）；同时为每户贷款余额上限"),
    ("credit.max_term_months", 2014, 36, "月", "[v] 贷款期限3年以内（含3年）"),
    ("credit.borrower_age_min", 2014, 18, "周岁", "[v] 借款人年龄18周岁以上（含），按放款日计"),
    ("credit.borrower_age_max", 2014, 65, "周岁", "[v] 借款人年龄65周岁以下（含65周岁，未满66周岁），按放款日计"),
    ("credit.reminder_days", 2014, [60, 30], "天",
     "[local] 到期日60天前提醒、到期日30天前书面通知（seed 003：建立提醒预警机制，杜绝逾期）"),
    ("credit.eligible_statuses", 2014, ["not_exited", "returned", "monitored"], "户状态",
     "[v] 放款日户状态为未脱贫、返贫的建档立卡户可贷；监测户（边缘易致贫户）2021年起纳入支持范围"),
    ("credit.exited_while_policies_kept", 2014, True, "是/否",
     "[v] 脱贫不脱政策：已脱贫户在继续享受政策期内（exit.policy_retention_years）仍可申请"),
    ("credit.overdue_grace_days", 2014, 0, "天", "[cfg] 到期日后未结清即逾期；可设宽限天数"),
    ("credit.default_after_days", 2014, 90, "天", "[cfg] 逾期超过此天数视为违约（不良）"),
    ("credit.rating_levels", 2014, {"AAA": 50000, "AA": 30000, "A": 10000}, "元",
     "[cfg] 评级授信：信用等级对应的授信额度（未列入的等级不授信）"),
    ("credit.rating_valid_months", 2014, 36, "月", "[cfg] 评级授信的有效期（月）"),
    ("credit.max_renewals", 2014, 1, "次", "[cfg] 一笔贷款最多展期或续贷的次数；已违约的贷款不得展期、续贷"),
    # --- 扶贫资金和项目 (funds, projects, disbursements; fupin/funds) ---
    ("funds.slow_spending_days", 2014, 90, "天",
     "[cfg] 资金下达超过此天数（不含当天恰好满此天数）而拨付率仍低于 funds.slow_spending_min_rate 的，列为拨付缓慢"),
    ("funds.slow_spending_min_rate", 2014, 0.5, "比例", "[cfg] 拨付缓慢预警：拨付率低于此值（恰好等于不预警）"),
    ("funds.eligible_statuses", 2014, ["not_exited", "returned", "exited", "monitored"], "户状态",
     "[cfg] 拨付日户状态为这些状态的户可领取到户资金（已脱贫户脱贫不脱政策；已清退、已销户不可）"),
    # --- 资产收益扶贫 (asset income; fupin/assets) ---
    ("assets.target_income_rate", 2014, 0.06, "比例",
     "[v] 资产收益扶贫项目年收益率（年收益 ÷ 资产账面价值）不低于6%；低于此值预警，恰好等于不预警（seed 004）"),
    # --- 防止返贫监测 (monitoring; fupin/monitoring) ---
    ("monitoring.screened_statuses", 2020, ["exited", "monitored"], "户状态",
     "[cfg] 风险排查的户状态：已脱贫户（脱贫不稳定）和无未消除风险的监测户；未脱贫户已在帮扶中，不作为监测对象"),
    ("monitoring.rigid_expenditure_ratio", 2020, 1.0, "倍",
     "[v] 刚性支出（合规自付支出）超过上年家庭纯收入的此倍数（恰好等于不算）列为突发严重困难"),
    ("monitoring.income_drop_ratio", 2020, 0.3, "比例",
     "[cfg] 人均纯收入比上年下降达到此比例（含）视为收入骤减"),
    ("monitoring.large_medical_expense", 2020, 20000, "元",
     "[cfg] 部门数据中未建档人员的自付医疗费用达到此数（含）列为突发严重困难线索"),
    ("monitoring.identify_within_days", 2020, 15, "天", "[local] 发现风险后应在此天数内完成识别纳入"),
    ("monitoring.notice_days", 2020, 5, "天", "[local] 纳入监测、风险消除在村内公示不少于此天数"),
    ("monitoring.min_months_before_elimination", 2020, 6, "月",
     "[v] 纳入监测满此月数（含）后方可标注风险消除（一般不少于半年）"),
    # --- 大数据比对 (cross-checks; fupin/crosscheck) ---
    ("crosscheck.checked_statuses", 2014, ["not_exited", "returned", "monitored", "exited"], "户状态",
     "[cfg] 参与比对的户状态（已清退、已销户不比对）"),
    ("crosscheck.vehicle_exempt_types", 2014, ["农用车", "拖拉机", "三轮汽车", "低速货车", "摩托车", "电动自行车"], "车辆类型",
     "[cfg] 不计入“四有户”的车辆类型（生产用车辆）"),
    ("crosscheck.max_file_mb", 2014, 500, "MB", "[cfg] 比对数据文件大小上限（百万行级 CSV）"),
    # --- 问题台账 (issue ledger; fupin/ledger) ---
    ("ledger.default_deadline_days", 2014, 30, "天", "[cfg] 登记问题时未指定整改时限的，自发现日期起的默认天数"),
    ("ledger.due_soon_days", 2014, 7, "天", "[cfg] 距整改时限不超过此天数的问题列为“即将到期”"),
    ("ledger.evidence_max_mb", 2014, 10, "MB", "[cfg] 整改佐证材料单个文件大小上限"),
    ("ledger.evidence_types", 2014, ["pdf", "jpg", "jpeg", "png"], "扩展名", "[cfg] 整改佐证材料允许的文件类型"),
    # --- 贫困测度 (poverty measures; fupin/measures) ---
    # Alkire-Foster: weights (a number or an exact fraction "1/6") sum to 1; three equally weighted
    # dimensions (教育, 健康, 生活水平) split equally among their indicators.
    ("measures.af.indicators", 2014, [
        {"code": "education", "label": "受教育年限", "dimension": "教育", "weight": "1/6", "min_age": 16},
        {"code": "school_attendance", "label": "适龄儿童上学", "dimension": "教育", "weight": "1/6"},
        {"code": "health", "label": "大病", "dimension": "健康", "weight": "1/6"},
        {"code": "medical_insurance", "label": "基本医疗保险", "dimension": "健康", "weight": "1/6"},
        {"code": "housing", "label": "住房安全", "dimension": "生活水平", "weight": "1/12"},
        {"code": "drinking_water", "label": "饮水安全", "dimension": "生活水平", "weight": "1/12"},
        {"code": "sanitation", "label": "卫生厕所", "dimension": "生活水平", "weight": "1/12"},
        {"code": "electricity", "label": "生活用电", "dimension": "生活水平", "weight": "1/12"},
    ], "指标", "[cfg] 多维贫困（Alkire-Foster）指标、维度和权重（权重之和为1；可写分数如 \"1/6\"）"),
    ("measures.af.k", 2014, "1/3", "比例", "[cfg] 多维贫困临界值 k：加权剥夺得分不低于 k 的户识别为多维贫困"),
]

# Western provinces (西部地区): a poor village or county exits below 3% incidence, not 2%.
WEST_PROVINCES = ["150000000000", "450000000000", "500000000000", "510000000000", "520000000000",
                  "530000000000", "540000000000", "610000000000", "620000000000", "630000000000",
                  "640000000000", "650000000000"]

# (key, region_code, year_from, value, unit, source): defaults that differ by region.
REGIONAL_DEFAULTS = [
    ("region_exit.max_incidence", code, 2016, 0.03, "比例", "[v] 西部地区贫困发生率低于3%")
    for code in WEST_PROVINCES
]

# Keys a region may only raise above the national value (“省定标准可高于国家标准”).
RAISE_ONLY_KEYS = frozenset({"poverty_line", "monitoring_line"})

# What each key is called in the user interface.
KEY_LABELS = {
    "poverty_line": "扶贫标准（贫困线）",
    "monitoring_line": "防止返贫监测范围（收入线）",
    "identification.borderline_ratio": "识别临界户比例",
    "workflow.identification.steps": "识别程序步骤",
    "workflow.exit.steps": "贫困户退出程序步骤",
    "exit.compulsory_school_age_from": "义务教育适龄起始年龄",
    "exit.compulsory_school_age_to": "义务教育适龄截止年龄",
    "exit.unsafe_danger_grades": "住房不安全的危房等级",
    "exit.policy_retention_years": "脱贫不脱政策年数",
    "region_exit.max_incidence": "贫困村出列、贫困县摘帽：贫困发生率上限",
    "county_exit.max_wrong_exit_rate": "贫困县摘帽：错退率上限",
    "county_exit.max_missed_rate": "贫困县摘帽：漏评率上限",
    "county_exit.min_satisfaction": "贫困县摘帽：群众认可度下限",
    "village_exit.criteria": "贫困村出列条件",
    "quality.labour_min_age": "数据校验：劳动力最低年龄",
    "quality.adult_age": "数据校验：成年年龄",
    "quality.preschool_max_age": "数据校验：学龄前最大年龄",
    "quality.senior_min_age": "数据校验：高中中专最低年龄",
    "quality.college_min_age": "数据校验：大专本科最低年龄",
    "quality.per_capita_income_min": "数据校验：人均纯收入下限",
    "quality.per_capita_income_max": "数据校验：人均纯收入上限",
    "quality.income_tolerance": "数据校验：收入合计误差",
    "registry.max_other_causes": "其他致贫原因最多项数",
    "import.max_file_mb": "导入文件大小上限",
    "attachment.max_mb": "程序附件大小上限",
    "attachment.allowed_types": "程序附件允许的文件类型",
    "attachment.max_files": "每步最多附件数",
    "helpers.max_households_per_cadre": "每名帮扶责任人结对户数上限",
    "helpers.village_support_years_after_exit": "贫困村出列后继续驻村帮扶年数",
    "credit.max_amount": "扶贫小额信贷：单户额度和贷款余额上限",
    "credit.max_term_months": "扶贫小额信贷：贷款期限上限",
    "credit.borrower_age_min": "扶贫小额信贷：借款人最低年龄",
    "credit.borrower_age_max": "扶贫小额信贷：借款人最高年龄",
    "credit.reminder_days": "扶贫小额信贷：到期前提醒天数",
    "credit.eligible_statuses": "扶贫小额信贷：可贷的户状态",
    "credit.exited_while_policies_kept": "扶贫小额信贷：已脱贫户政策期内可贷",
    "credit.overdue_grace_days": "扶贫小额信贷：逾期宽限天数",
    "credit.default_after_days": "扶贫小额信贷：逾期多少天视为违约",
    "credit.rating_levels": "扶贫小额信贷：信用等级和授信额度",
    "credit.rating_valid_months": "扶贫小额信贷：评级授信有效期",
    "credit.max_renewals": "扶贫小额信贷：最多展期续贷次数",
    "funds.slow_spending_days": "扶贫资金：拨付缓慢预警天数",
    "funds.slow_spending_min_rate": "扶贫资金：拨付缓慢预警的最低拨付率",
    "funds.eligible_statuses": "扶贫资金：可领取到户资金的户状态",
    "assets.target_income_rate": "资产收益扶贫：年收益率目标",
    "monitoring.screened_statuses": "防止返贫监测：参与风险排查的户状态",
    "monitoring.rigid_expenditure_ratio": "防止返贫监测：刚性支出超过上年收入的倍数",
    "monitoring.income_drop_ratio": "防止返贫监测：收入骤减比例",
    "monitoring.large_medical_expense": "防止返贫监测：大额自付医疗费用",
    "monitoring.identify_within_days": "防止返贫监测：识别纳入时限",
    "monitoring.notice_days": "防止返贫监测：公示天数",
    "monitoring.min_months_before_elimination": "防止返贫监测：风险消除前最短监测月数",
    "crosscheck.checked_statuses": "大数据比对：参与比对的户状态",
    "crosscheck.vehicle_exempt_types": "大数据比对：不计入四有户的车辆类型",
    "crosscheck.max_file_mb": "大数据比对：数据文件大小上限",
    "ledger.default_deadline_days": "问题台账：默认整改时限天数",
    "ledger.due_soon_days": "问题台账：即将到期天数",
    "ledger.evidence_max_mb": "问题台账：佐证材料大小上限",
    "ledger.evidence_types": "问题台账：佐证材料文件类型",
    "measures.af.indicators": "贫困测度：多维贫困指标和权重",
    "measures.af.k": "贫困测度：多维贫困临界值 k",
}


def install_missing(apps) -> None:
    """Insert the default rows (national and regional) a database does not have yet; edited values
    are kept. Data migrations call this when they add keys, so an upgraded database gets what
    `fupin load_policy` would install on a new one."""
    PolicyValue = apps.get_model("policy", "PolicyValue")
    have = set(PolicyValue.objects.values_list("key", "region_code", "year_from"))
    rows = [(key, "000000000000", year_from, value, unit, source)
            for key, year_from, value, unit, source in NATIONAL_DEFAULTS] + list(REGIONAL_DEFAULTS)
    PolicyValue.objects.bulk_create([
        PolicyValue(key=key, region_code=region_code, year_from=year_from, value=value, unit=unit, source=source)
        for key, region_code, year_from, value, unit, source in rows if (key, region_code, year_from) not in have
    ])
