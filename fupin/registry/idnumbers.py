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


def validate(raw) -> IdFacts:
    number = normalize(raw)
    try:
        ric.validate(number)
    except stdnum_exceptions.InvalidChecksum:
        raise InvalidIdNumber(f"证件号码“{number}”校验位错误") from None
    except stdnum_exceptions.InvalidComponent:
        raise InvalidIdNumber(f"证件号码“{number}”中的出生日期或地区码无效") from None
    except stdnum_exceptions.ValidationError:
        raise InvalidIdNumber(f"证件号码“{number}”格式无效") from None
    birth = ric.get_birth_date(number)
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdFacts(number=number, birth_date=birth, gender=gender)
