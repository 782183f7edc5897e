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
]
