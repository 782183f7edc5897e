"""Resident ID numbers (居民身份证号码, GB 11643): normalise, validate, derive gender and birth date.

Validation is python-stdnum's `cn.ric` (length, region of birth, birth date, check digit).
15-digit first-generation numbers are converted to 18 digits (century 19 inserted, check digit
computed); a trailing lower-case x is upper-cased. Nothing else is guessed.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: date
    gender: str  # "M" / "F"


def normalize(raw) -> str:
    """Upper-case, strip spaces, 15 → 18 digits. Raises InvalidIdNumber (Chinese message)."""
    text = "" if raw is None else str(raw).strip().replace(" ", "").upper()
    if text.endswith(".0"):  # a number cell read as float
        text = text[:-2]
    if len(text) == 15 and text.isdigit():
        body = text[:6] + "19" + text[6:]
        text = body + ric.calc_check_digit(body + "0")
    if len(text) != 18:
        raise InvalidIdNumber(f"证件号码“{raw}”应为 18 位（或 15 位旧号码），实为 {len(text)} 位")
    return text


def _region_known(number: str) -> bool:
    """The 6-digit region code exists in stdnum's table at any time. stdnum's own check also wants
    it valid in the *birth* year, but numbers are assigned when first issued: a person born in 1980
    in 平利县 may well hold a 610926… number although the code was 612427 until 2000."""
    from stdnum import numdb

    # A county-level entry: the province part alone (e.g. 61 of 610999) also carries properties.
    return any("county" in props for _, props in numdb.get("cn/loc").info(number[:6]))


@lru_cache(maxsize=1 << 16)
def _region_valid(prefix: str, year: int) -> bool:
    """stdnum's region check for a region code and birth year (valid in that year, or — see
    `_region_known` — at any time). Cached: stdnum's table lookup costs ~0.5 ms and a county's
    IDs share a few hundred (prefix, year) pairs."""
    try:
        ric.get_birth_place(f"{prefix}{year:04d}01010000")
        return True
    except stdnum_exceptions.InvalidComponent:
        return _region_known(prefix)
    except KeyError:  # stdnum: a known province with an unknown county (e.g. 610999)
        return False


def validate(raw) -> IdFacts:
    """stdnum's `cn.ric.validate` checks in its order (digits, check digit, birth date, region),
    with the region lookup cached."""
    number = normalize(raw)
    body = number[:17]
    if not (body.isascii() and body.isdigit()):
        raise InvalidIdNumber(f"证件号码“{number}”格式无效")
    if number[17] != ric.calc_check_digit(number):
        raise InvalidIdNumber(f"证件号码“{number}”校验位错误")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"证件号码“{number}”中的出生日期无效") from None
    if not _region_valid(number[:6], birth.year):
        raise InvalidIdNumber(f"证件号码“{number}”中的地区码 {number[:6]} 不存在")
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdFacts(number=number, birth_date=birth, gender=gender)
