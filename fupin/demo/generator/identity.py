"""Names, phone numbers, bank accounts and resident ID numbers — valid, unique, seeded."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache

from stdnum import luhn, numdb
from stdnum.cn import ric

from fupin.registry.choices import Gender

SURNAMES = (  # weighted towards the surnames of southern Shaanxi
    "王王王王张张张张李李李陈陈陈刘刘刘杨杨黄黄胡胡周周吴吴徐朱何罗余余程彭曹谢唐柯汪詹邹鲁童冯沈邓孙"
    "赵马郭高林梁宋郑韩冯董袁许傅曾吕苏卢蒋蔡贾丁魏薛叶阎潘杜戴夏钟田任姜范方石姚谭廖熊金陆郝孔白"
    "崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹易常武乔贺赖龚文阮"
)
GIVEN_NAME_CHARS = {
    # (gender, era): characters; era 0 born before 1970, 1 before 1995, 2 later.
    (Gender.MALE, 0): "德福贵富财发生宝才山林树根成全有明忠义仁礼顺安康寿禄喜春荣华国兴正开元清",
    (Gender.MALE, 1): "军建国伟强勇平兵刚明华东海波涛斌鹏辉林峰磊超亮红文武学志永成杰俊",
    (Gender.MALE, 2): "浩宇轩子睿泽晨博涵文杰俊鑫磊航瑞豪阳毅然昊铭锦奕诚思嘉明天佳",
    (Gender.FEMALE, 0): "秀英兰芳珍玉梅凤琴桂花菊莲香翠云群芬彩素娥金银淑贤巧翠",
    (Gender.FEMALE, 1): "红霞丽萍燕娟敏静艳琳芳玲莉华梅英丹春凤琼荣婷",
    (Gender.FEMALE, 2): "欣怡佳梦雨涵萱诗婷雪慧琪悦可馨妍紫若语心瑶钰思璐",
}
TWO_CHAR_GIVEN_NAME_SHARE = 0.8
# China's mobile number blocks (1[3-9]x).
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182",
    "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)
# Where the county pays subsidies [demo]; the six-digit prefixes are BIN-like, for shape only.
BANKS = (
    ("平利县农村信用合作联社", "621391", 0.55),
    ("中国邮政储蓄银行", "621799", 0.25),
    ("中国农业银行", "622848", 0.15),
    ("中国建设银行", "621700", 0.05),
)


@cache
def id_prefix_periods(county6: str) -> tuple[tuple[int, int, str], ...]:
    """(first year, last year, 6-digit code) under which the county's residents got their IDs.

    A county's code changes when it is re-organised (平利县: 612427 until 2000, then 610926), and an ID
    keeps the code in force when it was issued. stdnum's location table knows these periods; we take
    every code of the province that carried the county's current name."""
    province = county6[:2]

    def segments(text: str):
        for part in text.split(","):
            if part.startswith("["):
                span, name = part[1:].split("]", 1)
                start, end = span.split("-")
                yield int(start or 0), int(end or 9999), name
            else:
                yield 0, 9999, part

    entries = []
    for _length, low, _high, _props, children in numdb.get("cn/loc").prefixes:
        if low != province:
            continue
        for _l, code4, _h, props, _c in children:
            entries.append((province + code4, list(segments(props.get("county", "")))))
    current = [name for code, segs in entries if code == county6 for *_, name in segs]
    if not current:
        return ((0, 9999, county6),)
    name = current[-1]
    periods = [(start, end, code) for code, segs in entries for start, end, n in segs if n == name]
    # The county's own code first, so it wins in an overlapping year.
    return tuple(sorted(periods, key=lambda p: (p[2] != county6, p[0])))


def id_prefix_for(county6: str, year: int) -> str:
    for start, end, code in id_prefix_periods(county6):
        if start <= year <= end:
            return code
    return county6


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def random_gender(rng: random.Random) -> str:
    return Gender.MALE if rng.random() < 0.52 else Gender.FEMALE


def other_gender(gender: str) -> str:
    return Gender.FEMALE if gender == Gender.MALE else Gender.MALE


class Identities:
    """Draws names, numbers and dates from one seeded generator; IDs and accounts are unique."""

    def __init__(self, rng: random.Random, *, county6: str, reference: date):
        self.rng = rng
        self.county6 = county6
        self.reference = reference  # ages are counted on this day
        self.ids: set[str] = set()
        self.accounts: set[str] = set()

    def given_name(self, gender: str, birth_year: int) -> str:
        era = 0 if birth_year < 1970 else (1 if birth_year < 1995 else 2)
        chars = GIVEN_NAME_CHARS[(gender, era)]
        rng = self.rng
        first = rng.choice(chars)
        if rng.random() < TWO_CHAR_GIVEN_NAME_SHARE:
            second = rng.choice(chars)
            return first + (second if second != first else rng.choice(chars))
        return first

    def surname(self) -> str:
        return self.rng.choice(SURNAMES)

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def bank(self) -> tuple[str, str]:
        rng = self.rng
        name, prefix, _w = rng.choices(BANKS, weights=[b[2] for b in BANKS])[0]
        while True:
            body = prefix + f"{rng.randrange(10**12):012d}"
            account = body + luhn.calc_check_digit(body)
            if account not in self.accounts:
                self.accounts.add(account)
                return name, account

    def birth_date(self, age: int) -> date:
        """A birth date at which the person is exactly `age` on the reference day."""
        latest = years_before(self.reference, age)  # turning `age` on the reference day
        earliest = years_before(self.reference, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, birth: date, gender: str) -> str:
        prefix = id_prefix_for(self.county6, birth.year)
        rng = self.rng
        while True:
            seq = rng.randrange(100) * 10 + rng.randrange(5) * 2 + (1 if gender == Gender.MALE else 0)
            body = f"{prefix}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.ids:
                self.ids.add(number)
                return number


def disability_cert_no(id_number: str, category: str, grade: str) -> str:
    """残疾人证号 (second generation): the holder's ID number, 残疾类别 digit and 残疾等级 digit."""
    return f"{id_number}{category}{grade}"
