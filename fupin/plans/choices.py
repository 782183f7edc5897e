"""Coded values of 一户一策 (per-household plans): measure types, their sector and 五个一批 batch.

Each measure type is one sector measure of DOMAIN §Measures, typed with the 五个一批 batch it is
counted under in the statistics. 就业帮扶 is split into its three kinds (转移就业, 技能培训,
公益性岗位 — the national export has a separate 公益性岗位 column, and the contradiction rules need
技能培训 on its own); 健康帮扶 is one type (参保补贴, 大病保险 or 医疗救助 is written in the content).

Batches (our mapping, [cfg] — the documents list the sector measures, not their batch):
- 发展生产和就业脱贫: 产业帮扶, 转移就业, 技能培训, 公益性岗位, 小额信贷, 金融帮扶, 资产收益, 社会帮扶;
- 易地扶贫搬迁脱贫: 易地扶贫搬迁 and the other 安居 measures 危房改造 and 饮水安全 (housing and water
  security, 住房安全 and 饮水安全 of the exit standard);
- 生态补偿脱贫: 生态补偿 (生态护林员, 退耕还林补助);
- 发展教育脱贫: 教育资助, 雨露计划;
- 社会保障兜底: 低保/特困兜底, 残疾人补贴, 健康帮扶 (Sichuan's 医疗救助扶持 is counted here).
"""

from django.db import models


class Batch(models.TextChoices):
    """五个一批."""

    PRODUCTION = "production", "发展生产和就业脱贫"
    RELOCATION = "relocation", "易地扶贫搬迁脱贫"
    ECOLOGY = "ecology", "生态补偿脱贫"
    EDUCATION = "education", "发展教育脱贫"
    SECURITY = "security", "社会保障兜底"


class Sector(models.TextChoices):
    """The sector a measure belongs to (the columns of the national monitoring export)."""

    INDUSTRY = "industry", "产业帮扶"
    EMPLOYMENT = "employment", "就业帮扶"
    FINANCE = "finance", "金融帮扶"
    ASSET = "asset", "资产收益"
    SOCIAL = "social", "社会帮扶"
    RELOCATION = "relocation", "易地扶贫搬迁"
    HOUSING = "housing", "危房改造"
    WATER = "water", "饮水安全"
    ECOLOGY = "ecology", "生态补偿"
    EDUCATION = "education", "教育帮扶"
    HEALTH = "health", "健康帮扶"
    SECURITY = "security", "综合保障"


class MeasureType(models.TextChoices):
    INDUSTRY = "industry", "产业帮扶"
    EMPLOYMENT = "employment", "转移就业"
    SKILLS_TRAINING = "skills_training", "技能培训"
    PUBLIC_JOB = "public_job", "公益性岗位"
    MICROCREDIT = "microcredit", "扶贫小额信贷"
    FINANCIAL = "financial", "金融帮扶"
    ASSET_INCOME = "asset_income", "资产收益"
    SOCIAL = "social", "社会帮扶"
    RELOCATION = "relocation", "易地扶贫搬迁"
    HOUSING = "housing", "危房改造"
    WATER = "water", "饮水安全"
    ECOLOGY = "ecology", "生态补偿"
    EDUCATION_AID = "education_aid", "教育资助"
    RAIN_DEW = "rain_dew", "雨露计划"
    HEALTH = "health", "健康帮扶"
    BASIC_SECURITY = "basic_security", "低保/特困兜底"
    DISABILITY_ALLOWANCE = "disability_allowance", "残疾人补贴"


# measure type → (sector, batch)
MEASURE_INFO: dict[str, tuple[str, str]] = {
    MeasureType.INDUSTRY: (Sector.INDUSTRY, Batch.PRODUCTION),
    MeasureType.EMPLOYMENT: (Sector.EMPLOYMENT, Batch.PRODUCTION),
    MeasureType.SKILLS_TRAINING: (Sector.EMPLOYMENT, Batch.PRODUCTION),
    MeasureType.PUBLIC_JOB: (Sector.EMPLOYMENT, Batch.PRODUCTION),
    MeasureType.MICROCREDIT: (Sector.FINANCE, Batch.PRODUCTION),
    MeasureType.FINANCIAL: (Sector.FINANCE, Batch.PRODUCTION),
    MeasureType.ASSET_INCOME: (Sector.ASSET, Batch.PRODUCTION),
    MeasureType.SOCIAL: (Sector.SOCIAL, Batch.PRODUCTION),
    MeasureType.RELOCATION: (Sector.RELOCATION, Batch.RELOCATION),
    MeasureType.HOUSING: (Sector.HOUSING, Batch.RELOCATION),
    MeasureType.WATER: (Sector.WATER, Batch.RELOCATION),
    MeasureType.ECOLOGY: (Sector.ECOLOGY, Batch.ECOLOGY),
    MeasureType.EDUCATION_AID: (Sector.EDUCATION, Batch.EDUCATION),
    MeasureType.RAIN_DEW: (Sector.EDUCATION, Batch.EDUCATION),
    MeasureType.HEALTH: (Sector.HEALTH, Batch.SECURITY),
    MeasureType.BASIC_SECURITY: (Sector.SECURITY, Batch.SECURITY),
    MeasureType.DISABILITY_ALLOWANCE: (Sector.SECURITY, Batch.SECURITY),
}


def sector_of(measure_type: str) -> str:
    return MEASURE_INFO[measure_type][0]


def batch_of(measure_type: str) -> str:
    return MEASURE_INFO[measure_type][1]


_MEASURE_LABELS = dict(MeasureType.choices)
_SECTOR_LABELS = dict(Sector.choices)
_BATCH_LABELS = dict(Batch.choices)


def measure_label(measure_type: str) -> str:
    return _MEASURE_LABELS.get(measure_type, measure_type)


def measure_info(measure_type: str) -> dict:
    """A measure type with its labels, sector and batch (what every output carries)."""
    sector, batch = MEASURE_INFO.get(measure_type, ("", ""))
    return {"measure_type": measure_type, "measure_label": measure_label(measure_type),
            "sector": sector, "sector_label": _SECTOR_LABELS.get(sector, ""),
            "batch": batch, "batch_label": _BATCH_LABELS.get(batch, "")}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    CONFIRMED = "confirmed", "已确认"


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    IN_PROGRESS = "in_progress", "实施中"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


# Measures that count in a plan (progress = completed / these; detection compares these).
ACTIVE_MEASURE_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.COMPLETED)


class RuleKind(models.TextChoices):
    # A suggestion rule: when the household's facts meet the condition, suggest the measure type.
    SUGGEST = "suggest", "措施建议"
    # A contradiction rule: a plan measure of this type while the condition holds contradicts the household.
    CONTRADICT = "contradict", "措施矛盾"


# Who is usually responsible for a measure (prefilled when a suggestion is adopted; editable) [cfg].
DEFAULT_RESPONSIBLE: dict[str, str] = {
    MeasureType.INDUSTRY: "乡镇农业综合服务站",
    MeasureType.EMPLOYMENT: "县人力资源和社会保障局",
    MeasureType.SKILLS_TRAINING: "县人力资源和社会保障局",
    MeasureType.PUBLIC_JOB: "乡镇人民政府",
    MeasureType.MICROCREDIT: "县扶贫办、合作银行",
    MeasureType.FINANCIAL: "县金融办",
    MeasureType.ASSET_INCOME: "村集体经济组织",
    MeasureType.SOCIAL: "帮扶单位",
    MeasureType.RELOCATION: "县易地扶贫搬迁办公室",
    MeasureType.HOUSING: "县住房和城乡建设局",
    MeasureType.WATER: "县水利局",
    MeasureType.ECOLOGY: "县林业局",
    MeasureType.EDUCATION_AID: "县教育局",
    MeasureType.RAIN_DEW: "县扶贫办",
    MeasureType.HEALTH: "县卫生健康局、县医疗保障局",
    MeasureType.BASIC_SECURITY: "县民政局",
    MeasureType.DISABILITY_ALLOWANCE: "县残疾人联合会",
}
