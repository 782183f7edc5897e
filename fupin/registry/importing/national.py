"""The national monitoring system's export layout (全国防返贫监测信息系统导出格式).

One sheet; title rows above the header (normally two, header on row 3); one row per member with the
household's columns repeated on every row of the household. Column names are those of the national
system (shared/DOMAIN.md §Registry); places are NAMES (县/乡/村), resolved against the Region table
inside the importing user's scope.

National vocabulary is mapped to our choices by the explicit tables below. A value that is in
none of them is an error naming the row and the column — never a guess. Columns the registry does
not store (帮扶措施, 监测对象类别, 风险消除 …) are listed in the result as "not imported".
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..choices import (
    Education,
    HouseholdAttribute,
    HouseholdStatus,
    IdType,
    LabourCapacity,
    LabourSkill,
    PovertyCause,
    Relation,
    RoadType,
    SchoolStatus,
)
from .reader import normalize_header

# canonical key → accepted header texts (compared after normalize_header: no spaces, half-width
# brackets). Keys "<target>.<field>" go straight to a model field; "nat.*" need translating.
COLUMNS: dict[str, tuple[str, ...]] = {
    # place
    "nat.province": ("省", "省(自治区、直辖市)", "省(区、市)"),
    "nat.city": ("市", "市(地、州、盟)", "市(州)", "地市"),
    "nat.county": ("县", "县(市、区、旗)", "县(市、区)", "县(区)"),
    "nat.township": ("乡", "乡(镇)", "乡镇", "乡(镇、街道)"),
    "nat.village": ("村", "行政村", "村(社区)"),
    "household.group_name": ("组", "村民小组"),
    "household.address": ("住址", "家庭住址"),
    # household
    "household.household_no": ("户编号",),
    "nat.household_type": ("户类型",),
    "household.attribute": ("贫困户属性",),
    "household.identification_standard": ("识别标准",),
    "household.main_cause": ("主要致贫原因",),
    "household.other_causes": ("其他致贫原因",),
    "nat.risk1": ("致贫/返贫风险1", "致贫返贫风险1"),
    "nat.risk2": ("致贫/返贫风险2", "致贫返贫风险2"),
    "nat.risk3": ("致贫/返贫风险3", "致贫返贫风险3"),
    "nat.risk4": ("致贫/返贫风险4", "致贫返贫风险4"),
    "nat.risk5": ("致贫/返贫风险5", "致贫返贫风险5"),
    "household.registered_year": ("识别年度", "建档年度", "纳入年度"),
    "household.exit_year": ("脱贫年度",),
    "nat.head_name": ("户主姓名",),
    "household.phone": ("户联系电话",),
    "household.bank_name": ("开户银行",),
    "household.bank_account": ("银行账号", "银行卡号"),
    # the household's year
    "household_year.declared_per_capita_income": ("人均纯收入(元)", "人均纯收入", "家庭人均纯收入(元)"),
    "household_year.wage_income": ("工资性收入", "工资性收入(元)"),
    "household_year.business_income": ("生产经营性收入", "生产经营性收入(元)"),
    "household_year.business_cost": ("生产经营性支出", "生产经营费用", "生产经营性支出(元)"),
    "household_year.property_income": ("财产性收入", "财产性收入(元)"),
    "household_year.transfer_income": ("转移性收入", "转移性收入(元)"),
    "household_year.policy_subsidy": ("政策性补贴", "其中:政策性补贴"),
    "household_year.compliant_out_of_pocket": ("合规自付支出", "合规自付支出(元)"),
    "nat.dangerous_house": ("是否危房户",),
    "household_year.danger_grade": ("危房等级",),
    "household_year.drinking_water_safe": ("是否解决安全饮用水", "饮水安全"),
    "household_year.drinking_water_difficult": ("是否饮水困难", "饮水困难"),
    "household_year.sanitary_toilet": ("有无卫生厕所", "是否有卫生厕所"),
    "nat.road_hardened": ("入户道路是否硬化", "入户路是否硬化"),
    "household_year.road_distance_km": ("与村主干路距离", "与村主干路距离(公里)"),
    "household_year.housing_area": ("住房面积", "住房面积(平方米)"),
    "household_year.arable_mu": ("耕地面积(亩)", "耕地面积"),
    "household_year.forest_mu": ("林地面积(亩)", "林地面积"),
    "household_year.grain_for_green_mu": ("退耕还林面积(亩)", "退耕还林面积"),
    "household_year.orchard_mu": ("林果面积(亩)", "林果面积"),
    "household_year.pasture_mu": ("牧草地面积(亩)", "牧草地面积"),
    "household_year.water_surface_mu": ("水面面积(亩)", "水面面积"),
    "household_year.living_electricity": ("是否通生活用电",),
    "household_year.production_electricity": ("是否通生产用电",),
    "household_year.fuel": ("主要燃料类型",),
    "household_year.relocated": ("是否易地扶贫搬迁户",),
    "household_year.cooperative_member": ("是否加入农民专业合作社",),
    # member
    "member.name": ("姓名",),
    "nat.id_type": ("证件类型",),
    "member.id_number": ("证件号码", "身份证号码", "身份证号"),
    "member.gender": ("性别",),
    "member.birth_date": ("出生日期",),
    "member.ethnicity": ("民族",),
    "nat.relation": ("与户主关系",),
    "member.phone": ("家庭成员联系电话", "成员联系电话"),
    "member.disability_cert_no": ("残疾人证号", "残疾证号"),
    # the member's year
    "nat.education": ("文化程度",),
    "nat.school_status": ("在校生状况", "在校生情况"),
    "member_year.dropout_reason": ("义务教育阶段未上学原因", "失学或辍学原因"),
    "member_year.health": ("健康状况",),
    "member_year.disability_grade": ("残疾等级",),
    "nat.labour_skill": ("劳动技能",),
    "member_year.labour_capacity": ("劳动能力",),
    "member_year.resident_medical_insurance": ("是否参加城乡居民基本医疗保险",
                                               "是否参加城乡居民基本医疗保险(新型农村合作医疗)"),
    "member_year.employee_medical_insurance": ("是否参加城镇职工基本医疗保险",),
    "member_year.critical_illness_insurance": ("是否参加大病保险",),
    "member_year.resident_pension_insurance": ("是否参加城乡居民基本养老保险",),
    "nat.low_income": ("享受低保政策情况", "是否享受低保"),
    "nat.destitute": ("享受特困供养政策情况", "是否特困供养"),
    "member_year.migrant_worker": ("是否已务工", "是否务工"),
    "member_year.work_place": ("务工所在地",),
    "member_year.work_monthly_income": ("务工月收入", "务工月收入(元)"),
    "member_year.work_months": ("务工时间(月)", "务工时间"),
}

# Either naming of the three place levels is accepted; township and village are required (a
# village name is unique only within its township), the county narrows the search.
REQUIRED = ("household.household_no", "member.id_number", "member.name", "nat.relation", "nat.township",
            "nat.village")
DATE_KEYS = {"member.birth_date"}
# Set when 入户道路是否硬化 is 否: the writer then records the road as not hardened (an existing
# 泥土路/砂石路 stays; 水泥或沥青路 becomes unrecorded), without inventing a road type.
ROAD_NOT_HARDENED = "flag.road_not_hardened"
# Where a translated value came from, to mark the right cell when it fails validation.
ORIGIN = {
    "household.status": "nat.household_type", "member.id_type": "nat.id_type", "member.relation": "nat.relation",
    "member_year.education": "nat.education", "member_year.school_status": "nat.school_status",
    "member_year.on_low_income_support": "nat.low_income", "member_year.on_destitute_support": "nat.destitute",
    "member_year.labour_skill": "nat.labour_skill", "household.main_cause": "nat.risk1",
    "household.other_causes": "nat.risk2", "household_year.access_road": "nat.road_hardened",
    "household.head_name": "nat.head_name", "member_year.dropout": "member_year.dropout_reason",
    "member_year.labour_capacity": "nat.labour_skill",
}
PLACE_KEYS = ("nat.province", "nat.city", "nat.county", "nat.township", "nat.village")


def header_map() -> dict[str, str]:
    out = {}
    for key, names in COLUMNS.items():
        for name in names:
            out[normalize_header(name)] = key
    return out


# --- vocabulary -----------------------------------------------------------------------------

def _labels(choices) -> dict[str, str]:
    return {str(label): str(code) for code, label in choices.choices if code != ""} | {
        str(code): str(code) for code, _ in choices.choices if code != ""}


HOUSEHOLD_TYPE = _labels(HouseholdStatus) | {
    "脱贫户": HouseholdStatus.EXITED, "已脱贫户": HouseholdStatus.EXITED,
    "监测户": HouseholdStatus.MONITORED, "监测对象": HouseholdStatus.MONITORED,
    "贫困户": HouseholdStatus.NOT_EXITED, "未脱贫户": HouseholdStatus.NOT_EXITED,
    "返贫户": HouseholdStatus.RETURNED, "销户": HouseholdStatus.CANCELLED,
}
ATTRIBUTE = _labels(HouseholdAttribute) | {
    "五保贫困户": HouseholdAttribute.DESTITUTE, "特困供养(五保)贫困户": HouseholdAttribute.DESTITUTE,
    "特困供养（五保）贫困户": HouseholdAttribute.DESTITUTE, "五保户": HouseholdAttribute.DESTITUTE,
}
# 致贫/返贫风险 → 致贫原因, only where the two vocabularies name the same thing.
RISK_TO_CAUSE = _labels(PovertyCause) | {
    "因自然灾害": PovertyCause.DISASTER, "缺劳动力": PovertyCause.LACK_LABOUR,
}
ID_TYPE = _labels(IdType) | {"身份证": IdType.RESIDENT_ID, "第二代居民身份证": IdType.RESIDENT_ID,
                             "残疾证": IdType.DISABILITY_CERT}
RELATION = _labels(Relation) | {
    "本人": Relation.HEAD, "本人(户主)": Relation.HEAD, "之儿子": Relation.SON, "之儿媳妇": Relation.DAUGHTER_IN_LAW,
    "之媳": Relation.DAUGHTER_IN_LAW, "之兄弟": Relation.SIBLING, "之姐妹": Relation.SIBLING,
    "之父亲": Relation.FATHER, "之母亲": Relation.MOTHER,
}
EDUCATION = _labels(Education) | {
    "文盲": Education.ILLITERATE, "半文盲": Education.ILLITERATE, "学龄前": Education.PRESCHOOL,
    "中职": Education.VOCATIONAL, "中专": Education.VOCATIONAL, "大专": Education.COLLEGE,
    "本科": Education.COLLEGE, "本科及以上": Education.COLLEGE, "研究生": Education.COLLEGE,
}
# 在校生状况 in the national system names the grade ("小学三年级", "八年级", "普通高中一年级" …);
# we record the stage. Matched by exact value, then by stage prefix.
SCHOOL_EXACT = _labels(SchoolStatus) | {
    **{f"{n}年级": SchoolStatus.PRIMARY for n in "一二三四五六"},
    **{f"{n}年级": SchoolStatus.JUNIOR for n in "七八九"},
    "初一": SchoolStatus.JUNIOR, "初二": SchoolStatus.JUNIOR, "初三": SchoolStatus.JUNIOR,
    "高一": SchoolStatus.SENIOR, "高二": SchoolStatus.SENIOR, "高三": SchoolStatus.SENIOR,
    "学前": SchoolStatus.PRESCHOOL, "学龄前": SchoolStatus.PRESCHOOL, "幼儿园": SchoolStatus.PRESCHOOL,
}
SCHOOL_PREFIX = (
    ("非在校", SchoolStatus.NOT_STUDENT), ("学前", SchoolStatus.PRESCHOOL), ("小学", SchoolStatus.PRIMARY),
    ("初中", SchoolStatus.JUNIOR), ("普通高中", SchoolStatus.SENIOR), ("高中", SchoolStatus.SENIOR),
    ("中职", SchoolStatus.VOCATIONAL), ("中专", SchoolStatus.VOCATIONAL), ("技工", SchoolStatus.VOCATIONAL),
    ("高职", SchoolStatus.COLLEGE), ("高专", SchoolStatus.COLLEGE), ("大专", SchoolStatus.COLLEGE),
    ("本科", SchoolStatus.UNIVERSITY), ("硕士", SchoolStatus.UNIVERSITY), ("博士", SchoolStatus.UNIVERSITY),
    ("研究生", SchoolStatus.UNIVERSITY),
)
YES = {"享受", "已享受", "是"}
NO = {"未享受", "不享受", "否"}


def _pick(table: dict, raw: str, label: str, allowed=None) -> str:
    if raw in table:
        return str(table[raw])
    options = "、".join(allowed or dict.fromkeys(k for k in table if not k.isascii()))
    raise ValidationError(f"{label}“{raw}”无法对应到本系统的选项（可选：{options}）")


def school_status(raw: str) -> str:
    if raw in SCHOOL_EXACT:
        return str(SCHOOL_EXACT[raw])
    for prefix, code in SCHOOL_PREFIX:
        if raw.startswith(prefix):
            return str(code)
    raise ValidationError(f"在校生状况“{raw}”无法对应到本系统的选项（可选：{'、'.join(SchoolStatus.labels)}，"
                          "或“小学三年级”“八年级”等年级）")


def translate(values: dict[str, object], *, errors: dict[str, list[str]], has: set[str]) -> dict[str, object]:
    """National "nat.*" values → our "<target>.<field>" raw values (labels/codes the cleaning
    functions accept). Problems go to `errors` keyed by the national column key."""
    out = {k: v for k, v in values.items() if not k.startswith("nat.")}

    def text(key):
        v = values.get(key)
        return None if v is None else str(v).strip() or None

    def put(key, target, fn):
        raw = text(key)
        if key not in has:
            return
        if raw is None:
            out[target] = None
            return
        try:
            out[target] = fn(raw)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)

    put("nat.household_type", "household.status", lambda r: _pick(HOUSEHOLD_TYPE, r, "户类型"))
    if "household.attribute" in values and values["household.attribute"] is not None:
        raw = str(values["household.attribute"]).strip()
        try:
            out["household.attribute"] = _pick(ATTRIBUTE, raw, "贫困户属性")
        except ValidationError as exc:
            errors.setdefault("household.attribute", []).extend(exc.messages)
    put("nat.id_type", "member.id_type", lambda r: _pick(ID_TYPE, r, "证件类型"))
    put("nat.relation", "member.relation", lambda r: _pick(RELATION, r, "与户主关系"))
    put("nat.education", "member_year.education", lambda r: _pick(EDUCATION, r, "文化程度"))
    put("nat.school_status", "member_year.school_status", school_status)
    for key, target, label in (("nat.low_income", "member_year.on_low_income_support", "享受低保政策情况"),
                               ("nat.destitute", "member_year.on_destitute_support", "享受特困供养政策情况")):
        put(key, target, lambda r, label=label: "是" if r in YES else "否" if r in NO else _bool_word(r, label))
    if "nat.labour_skill" in has:
        raw = text("nat.labour_skill")
        if raw is None:
            out.setdefault("member_year.labour_skill", None)
        elif raw in LabourCapacity.labels or raw in LabourCapacity.values:
            # The national 劳动技能 column holds 普通劳动力/技能劳动力/… — our 劳动能力.
            if values.get("member_year.labour_capacity") not in (None, raw):
                errors.setdefault("nat.labour_skill", []).append(
                    f"劳动技能“{raw}”与劳动能力“{values['member_year.labour_capacity']}”不一致")
            out["member_year.labour_capacity"] = raw
        elif raw in LabourSkill.labels or raw in LabourSkill.values:
            out["member_year.labour_skill"] = raw
        else:
            errors.setdefault("nat.labour_skill", []).append(
                f"劳动技能“{raw}”无法对应到本系统的选项（可选：{'、'.join(LabourCapacity.labels)}，"
                f"或{'、'.join(label for label in LabourSkill.labels if label != '无')}）")
    if "household.main_cause" not in has and "nat.risk1" in has:
        # Risks stand in for causes only when the file has no 主要致贫原因 column.
        risks = []
        for n in range(1, 6):
            key = f"nat.risk{n}"
            raw = text(key)
            if raw is None:
                continue
            try:
                risks.append(_pick(RISK_TO_CAUSE, raw, f"致贫/返贫风险{n}"))
            except ValidationError:
                errors.setdefault(key, []).append(
                    f"致贫/返贫风险{n}“{raw}”没有对应的致贫原因（可对应：{'、'.join(PovertyCause.labels)}、"
                    "因自然灾害、缺劳动力）；请增加“主要致贫原因”列填写")
        if risks:
            out["household.main_cause"] = risks[0]
            out["household.other_causes"] = list(risks[1:])
        else:
            out["household.main_cause"] = None
    if "nat.dangerous_house" in has:
        raw = text("nat.dangerous_house")
        grade = values.get("household_year.danger_grade")
        grade = str(grade).strip().rstrip("级").upper() if grade else ""
        if raw is not None:
            flag = _bool_word(raw, "是否危房户", errors=errors, key="nat.dangerous_house")
            if flag is True and grade not in ("C", "D"):
                errors.setdefault("nat.dangerous_house", []).append(
                    "是否危房户为“是”，须在“危房等级”列填写 C级 或 D级（系统按等级记录危房）")
            elif flag is False and grade in ("C", "D"):
                errors.setdefault("nat.dangerous_house", []).append(f"是否危房户为“否”，但危房等级为 {grade}级")
    if "member_year.dropout_reason" in has and "member_year.dropout" not in values:
        out["member_year.dropout"] = "是" if text("member_year.dropout_reason") else "否"
    if "nat.road_hardened" in has:
        raw = text("nat.road_hardened")
        if raw is not None:
            flag = _bool_word(raw, "入户道路是否硬化", errors=errors, key="nat.road_hardened")
            # 是 = 水泥或沥青路; 否 says only "not hardened": the road type stays unrecorded.
            if flag is True:
                out["household_year.access_road"] = RoadType.HARDENED.value
            elif flag is False:
                out[ROAD_NOT_HARDENED] = True
    return out


def _bool_word(raw: str, label: str, *, errors=None, key=None):
    from ..validation import FALSE_WORDS, TRUE_WORDS

    text = raw.strip().lower()
    if text in TRUE_WORDS or text in YES:
        return True if errors is not None else "是"
    if text in FALSE_WORDS or text in NO:
        return False if errors is not None else "否"
    if errors is not None:
        errors.setdefault(key, []).append(f"{label}“{raw}”应为“是”或“否”")
        return None
    raise ValidationError(f"{label}“{raw}”应为“是”或“否”")


# --- places ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    province: str
    city: str
    county: str
    township: str
    village: str

    def describe(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county, self.township, self.village) if p)


def resolve_places(places: set[Place], *, actor) -> tuple[dict[Place, str], dict[Place, str]]:
    """Place names → village codes inside the actor's scope.

    Returns (resolved, problems): a village is found by its name under a township of that name,
    under a county/city/province of the given names where the file gives them. Unknown or ambiguous
    places get a Chinese message. A few IN queries whatever the number of rows."""
    from fupin.accounts.scope import scope_of
    from fupin.regions.codes import Level, prefix_of
    from fupin.regions.models import Region

    scope = scope_of(actor)
    names = {n for p in places for n in (p.province, p.city, p.county, p.township, p.village) if n}
    levels = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
    # Region names are public; all regions bearing the names are loaded, and only the village
    # itself must lie in the actor's scope (a township user's county is above their scope).
    by_name: dict[tuple[str, str], list[str]] = {}
    name_list = sorted(names)
    for i in range(0, len(name_list), 500):
        qs = Region.objects.filter(name__in=name_list[i:i + 500], level__in=levels)
        for code, name, level in qs.values_list("code", "name", "level"):
            by_name.setdefault((level, name), []).append(code)
    resolved: dict[Place, str] = {}
    problems: dict[Place, str] = {}
    for place in places:
        candidates = by_name.get((Level.VILLAGE, place.village), [])
        for level, name in ((Level.TOWNSHIP, place.township), (Level.COUNTY, place.county),
                            (Level.CITY, place.city), (Level.PROVINCE, place.province)):
            if not name:
                continue
            prefixes = {prefix_of(c, level) for c in by_name.get((level, name), [])}
            candidates = [c for c in candidates if prefix_of(c, level) in prefixes]
        inside = [c for c in candidates if c in scope.codes]
        if len(inside) == 1:
            resolved[place] = inside[0]
        elif len(inside) > 1:
            problems[place] = (f"地点“{place.describe()}”对应多个行政村（{'、'.join(sorted(inside))}），"
                               "请在文件中填写县（市、区、旗）以区分")
        elif candidates:
            problems[place] = f"行政村“{place.describe()}”不在您的管辖范围内"
        else:
            problems[place] = (f"行政村“{place.describe()}”在区划表中不存在"
                               f"（按名称查找：乡（镇）“{place.township}”下的村“{place.village}”）")
    return resolved, problems
