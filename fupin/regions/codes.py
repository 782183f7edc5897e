"""The 12-digit statistical division code (统计用区划代码) and what it says about a region.

Layout: 2 province + 2 city + 2 county (GB/T 2260) + 3 township + 3 village. A region's subtree
is every code that shares its significant prefix, i.e. one contiguous range of codes, so subtree
queries are a single indexed range scan — no walking parent links.
"""

from dataclasses import dataclass

CODE_LENGTH = 12
NATION_CODE = "000000000000"


class Level:
    NATION = "nation"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"

    CHOICES = [
        (NATION, "全国"),
        (PROVINCE, "省"),
        (CITY, "市"),
        (COUNTY, "县"),
        (TOWNSHIP, "乡镇"),
        (VILLAGE, "村"),
    ]
    ORDER = [NATION, PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE]
    # How many leading digits identify a region of this level.
    PREFIX_LENGTH = {NATION: 0, PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
    LABELS = dict(CHOICES)

    @classmethod
    def depth(cls, level: str) -> int:
        return cls.ORDER.index(level)


class InvalidCode(ValueError):
    pass


def normalize_code(raw: str | int) -> str:
    """Accept 6-, 9- or 12-digit codes (the short forms are common in spreadsheets)."""
    code = str(raw).strip()
    if code.endswith(".0"):  # a code that went through a spreadsheet as a float
        code = code[:-2]
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise InvalidCode(f"区划代码“{raw}”无效：应为 6、9 或 12 位数字")
    return code.ljust(CODE_LENGTH, "0")


def level_of(code: str) -> str:
    """The level a 12-digit code denotes by its trailing zeros."""
    if code == NATION_CODE:
        return Level.NATION
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[4:] == "0" * 8:
        return Level.CITY
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def prefix_of(code: str, level: str) -> str:
    return code[: Level.PREFIX_LENGTH[level]]


@dataclass(frozen=True)
class CodeRange:
    """Inclusive range [low, high] of 12-digit codes covering one subtree."""

    low: str
    high: str

    @classmethod
    def for_prefix(cls, prefix: str) -> "CodeRange":
        return cls(prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9"))

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.low <= code <= self.high

    def as_tuple(self) -> tuple[str, str]:
        return (self.low, self.high)


def subtree_range(code: str) -> CodeRange:
    """The range of codes under (and including) the region with this code."""
    return CodeRange.for_prefix(prefix_of(code, level_of(code)))


def ancestor_codes(code: str) -> list[str]:
    """The region and every ancestor, root first, derived from the code itself (no query).
    Levels that do not exist for a region (a county directly under its province) are harmless."""
    level = level_of(code)
    codes = [NATION_CODE]
    for lv in Level.ORDER[1 : Level.depth(level) + 1]:
        c = prefix_of(code, lv).ljust(CODE_LENGTH, "0")
        if c not in codes:
            codes.append(c)
    return codes
