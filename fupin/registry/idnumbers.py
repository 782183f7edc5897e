"""Resident ID numbers (居民身份证号码, GB 11643): normalise, validate, derive gender and birth date.

Validation is python-stdnum's `cn.ric` (length, region of birth, birth date, check digit).
15-digit first-generation numbers are converted to 18 digits (century 19 inserted, check digit
computed); a trailing lower-case x is upper-cased. Nothing else is guessed.
"""

from dataclasses import dataclass
from datetime import date

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


def validate(raw) -> IdFacts:
    number = normalize(raw)
    try:
        ric.validate(number)
    except stdnum_exceptions.InvalidChecksum:
        raise InvalidIdNumber(f"证件号码“{number}”校验位错误") from None
    except stdnum_exceptions.InvalidComponent:
        try:
            ric.get_birth_date(number)
        except stdnum_exceptions.ValidationError:
            raise InvalidIdNumber(f"证件号码“{number}”中的出生日期无效") from None
        if not _region_known(number):
            raise InvalidIdNumber(f"证件号码“{number}”中的地区码 {number[:6]} 不存在") from None
    except stdnum_exceptions.ValidationError:
        raise InvalidIdNumber(f"证件号码“{number}”格式无效") from None
    except KeyError:  # stdnum: a known province with an unknown county (e.g. 610999)
        raise InvalidIdNumber(f"证件号码“{number}”中的地区码 {number[:6]} 不存在") from None
    birth = ric.get_birth_date(number)
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdFacts(number=number, birth_date=birth, gender=gender)
