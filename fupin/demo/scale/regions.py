"""Where the scale generator puts its households: the counties under a region, each county's share
of the persons, and — for a county without them — townships and villages with valid nested codes.

Units: every county (县级) under the region, plus the prefecture-level cities without counties
(不设区的地级市: 东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200), whose townships sit directly
under the city (441900101000 …) as in the statistical codes (and as `fupin import_regions` expects
of a township: its code's first six digits and 000000). Not generated: 台湾, 香港 and 澳门 (never in
建档立卡), and the cities without counties that had no registry of their own — 三沙 (460300),
雄安新区 (133100, its three counties are under 保定) and 海域 (999900).

Persons: split over the units by seeded weights, exact total by largest remainder. A unit's weight
is a lognormal draw (σ = 0.5) from (seed, unit code) times 1 for a 县/旗, 0.7 for a county-level
city (…市) and 0.3 for a city district (…区), where few poor households were filed. It does not
depend on the other units, so a county's data depends only on (seed, county, persons, years).

Codes created (rules of 统计用区划代码): townships = county6 + 100–199 (镇), then 200–399 (乡);
villages = township9 + 200–399 (村民委员会; 001–199 are 居民委员会, not generated). One village per
VILLAGE_PERSONS persons (at least one; 平利县 has 137 for 57,568), about VILLAGES_PER_TOWNSHIP a
township (平利县: 11 towns), at most 300 townships of 200 villages. Names: two characters of
Chinese place names (龙泉, 石门 …) and 镇/乡/村, unique in the county (townships) and township
(villages). Townships a county already has are used before new codes are taken.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fupin.audit.services import Action, Entry, record
from fupin.regions.codes import CODE_LENGTH, InvalidCode, Level, level_of, normalize_code, subtree_range
from fupin.regions.models import Region

COUNTY_EQUIVALENT_CITIES = {"441900": "东莞市", "442000": "中山市", "460400": "儋州市", "620200": "嘉峪关市"}
EXCLUDED_PROVINCES = {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区"}
SOURCE = "fupin generate"  # Region.source of what is created here

VILLAGE_PERSONS = 400
VILLAGES_PER_TOWNSHIP = 12.5
MAX_TOWNSHIPS = 300  # codes 100–399
MAX_VILLAGES_PER_TOWNSHIP = 200  # codes 200–399
TOWN_SHARE = 0.7  # 镇 rather than 乡 [demo]
TOWN_CODES, XIANG_CODES, VILLAGE_CODES = range(100, 200), range(200, 400), range(200, 400)
SUFFIX_WEIGHT = {"县": 1.0, "旗": 1.0, "市": 0.7, "区": 0.3}  # [demo] by the last character of the name
WEIGHT_SIGMA = 0.5

FIRST_CHARS = ("东西南北上下中大小新老长高石龙凤马白黄青红金银铁花桃李杨柳松柏竹梅兰云天清平安宁太永兴"
               "福寿吉祥双三五七九百万古汉仙桥牛羊鹿鹤田赵王张刘陈何沙")
SECOND_CHARS = "河山坪沟湾岭坝口桥店庄营寨峪堡川塘垭梁坡台园林关湖溪泉峰岩门坊集寺城堰滩洲岗墩垸坎湾峡"

# Stream numbers of the seeded generators (one stream per purpose, so adding one changes no other).
STREAM_WEIGHT, STREAM_REGIONS, STREAM_VILLAGES = 1, 2, 3


class ScaleError(Exception):
    """Generation refused or stopped: the message (Chinese) names the input or county at fault.
    `generated`: counties generated (and committed) before it stopped."""

    generated = 0


@dataclass(frozen=True)
class Unit:
    """A county, or a city generated like one."""

    code: str  # 12 digits
    name: str
    city_name: str  # its city (or province, for a county directly under it)
    province_name: str

    @property
    def code6(self) -> str:
        return self.code[:6]


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, seed >> 32 & 0xFFFFFFFF, *keys])


def units_under(raw_code: str) -> tuple[Region, list[Unit]]:
    """The region named by `raw_code` and the units under it, by code. ScaleError if the code is
    malformed or unknown, names a township or village, or has no county under it."""
    try:
        code = normalize_code(raw_code)
    except InvalidCode as exc:
        raise ScaleError(str(exc)) from None
    level = level_of(code)
    if level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        raise ScaleError(f"区划代码 {code} 是{Level.LABELS[level]}级，请指定省、市或县级区划代码")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ScaleError(f"区划“{code}”不存在：请先运行 fupin load_regions 载入全国省市县")
    if code[:2] in EXCLUDED_PROVINCES:
        raise ScaleError(f"{EXCLUDED_PROVINCES[code[:2]]}不在建档立卡范围内，不生成数据")
    low, high = subtree_range(code).as_tuple()
    rows = list(Region.objects.filter(code__range=(low, high), level=Level.COUNTY).order_by("code")
                .values_list("code", "name"))
    rows += Region.objects.filter(code__range=(low, high), level=Level.CITY,
                                  code__in=[c.ljust(CODE_LENGTH, "0") for c in COUNTY_EQUIVALENT_CITIES]
                                  ).values_list("code", "name")
    if not rows:
        raise ScaleError(f"“{region.name}”（{code}）下没有县级区划，无法生成数据")
    rows.sort()
    above = dict(Region.objects.filter(
        code__in={c[:4].ljust(CODE_LENGTH, "0") for c, _n in rows} | {c[:2].ljust(CODE_LENGTH, "0") for c, _n in rows}
    ).values_list("code", "name"))
    units = []
    for c, name in rows:
        province = above.get(c[:2].ljust(CODE_LENGTH, "0"), "")
        city = above.get(c[:4].ljust(CODE_LENGTH, "0"), province) if c[:4].ljust(CODE_LENGTH, "0") != c else province
        units.append(Unit(code=c, name=plain(name), city_name=plain(city), province_name=plain(province)))
    return region, units


def plain(text: str) -> str:
    """A region name as generated rows may carry it: without tabs, line breaks and backslashes
    (COPY's separators and escape character), which no real name has but an imported file might."""
    return text.translate(_NOT_PLAIN)


_NOT_PLAIN = str.maketrans("", "", "\t\n\r\\")


def apportion_counts(weights: np.ndarray, total: int) -> np.ndarray:
    """Split `total` by `weights` (largest remainder, ties to the earlier): exact integer counts."""
    raw = total * weights / weights.sum()
    counts = np.floor(raw).astype(np.int64)
    left = int(total - counts.sum())
    if left:
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:left]] += 1
    return counts


def persons_per_unit(units: list[Unit], *, persons: int, seed: int) -> list[int]:
    """Each unit's persons (see the module docstring); the sum is exactly `persons`."""
    weights = np.array([SUFFIX_WEIGHT.get(u.name[-1:], 1.0)
                        * rng_for(seed, STREAM_WEIGHT, int(u.code6)).lognormal(0.0, WEIGHT_SIGMA)
                        for u in units])
    return apportion_counts(weights, persons).tolist()


def village_count(persons: int) -> int:
    return min(MAX_TOWNSHIPS * MAX_VILLAGES_PER_TOWNSHIP, max(1, math.ceil(persons / VILLAGE_PERSONS)))


def _names(rng: np.random.Generator, count: int, suffix: str, taken: set[str] = frozenset()) -> list[str]:
    """`count` distinct names: two place-name characters (three when those run out) and the suffix."""
    pairs = len(FIRST_CHARS) * len(SECOND_CHARS)
    names: list[str] = []
    for pick in rng.permutation(pairs).tolist():
        name = FIRST_CHARS[pick // len(SECOND_CHARS)] + SECOND_CHARS[pick % len(SECOND_CHARS)] + suffix
        if name not in taken:
            names.append(name)
            if len(names) == count:
                return names
    while len(names) < count:  # more than the pairs give: a third character
        name = (FIRST_CHARS[rng.integers(len(FIRST_CHARS))] + FIRST_CHARS[rng.integers(len(FIRST_CHARS))]
                + SECOND_CHARS[rng.integers(len(SECOND_CHARS))] + suffix)
        if name not in taken and name not in names:
            names.append(name)
    return names


def ensure_villages(county_code: str, *, seed: int, persons: int) -> list[str]:
    """The village codes of a county (or county-equivalent city), creating townships and villages
    scaled to `persons` if it has none (see the module docstring). Seeded; audited (one entry)."""
    return _ensure_villages(county_code, seed=seed, persons=persons)[0]


def _ensure_villages(county_code: str, *, seed: int, persons: int) -> tuple[list[str], int, int]:
    """(village codes, townships created, villages created)."""
    try:
        code = normalize_code(county_code)
    except InvalidCode as exc:
        raise ScaleError(str(exc)) from None
    county = Region.objects.filter(code=code).first()
    if county is None or not (county.level == Level.COUNTY or code[:6] in COUNTY_EQUIVALENT_CITIES):
        raise ScaleError(f"县级区划 {code[:6]} 不存在：请先运行 fupin load_regions")
    low, high = subtree_range(code).as_tuple()
    villages = list(Region.objects.filter(code__range=(low, high), level=Level.VILLAGE).order_by("code")
                    .values_list("code", flat=True))
    if villages:
        return villages, 0, 0
    existing = dict(Region.objects.filter(code__range=(low, high), level=Level.TOWNSHIP).order_by("code")
                    .values_list("code", "name"))
    rng = rng_for(seed, STREAM_REGIONS, int(code[:6]))
    wanted = village_count(persons)
    n_townships = min(MAX_TOWNSHIPS, max(1, round(wanted / VILLAGES_PER_TOWNSHIP), math.ceil(wanted / MAX_VILLAGES_PER_TOWNSHIP)))
    townships = list(existing)[:n_townships]
    new_count = n_townships - len(townships)
    towns = min(len(TOWN_CODES), max(0, round(n_townships * TOWN_SHARE) - len(townships)))
    free = [c for c in (*(code[:6] + f"{n:03d}000" for n in TOWN_CODES[:towns]),
                        *(code[:6] + f"{n:03d}000" for n in XIANG_CODES),
                        *(code[:6] + f"{n:03d}000" for n in TOWN_CODES[towns:]))
            if c not in existing]
    new_townships = free[:new_count]
    names = iter(_names(rng, new_count, "", set(existing.values())))
    rows = [Region(code=c, name=next(names) + ("镇" if int(c[6:9]) in TOWN_CODES else "乡"), level=Level.TOWNSHIP,
                   parent_id=code, source=SOURCE) for c in new_townships]
    townships = sorted(townships + new_townships)
    # Villages per township: seeded weights, each at least one and at most the codes allow.
    per = apportion_counts(rng.uniform(0.6, 1.4, len(townships)), wanted - len(townships)) + 1
    per = np.minimum(per, MAX_VILLAGES_PER_TOWNSHIP)
    for township, count in zip(townships, per.tolist(), strict=True):
        for number, name in zip(VILLAGE_CODES, _names(rng, count, "村"), strict=False):
            rows.append(Region(code=f"{township[:9]}{number:03d}", name=name, level=Level.VILLAGE,
                               parent_id=township, source=SOURCE))
    Region.objects.bulk_create(rows, batch_size=2000)
    created_villages = len(rows) - len(new_townships)
    record(entry=Entry(
        action=Action.CREATE, object_type="regions.region", object_repr=f"生成乡镇和村：{county.name}",
        region_code=code, after={"source": SOURCE, "seed": seed, "persons": persons,
                                 "townships_created": len(new_townships), "villages_created": created_villages,
                                 "first_code": min(r.code for r in rows), "last_code": max(r.code for r in rows)}))
    villages = sorted(r.code for r in rows if r.level == Level.VILLAGE)
    return villages, len(new_townships), created_villages
