"""Demo login accounts: one per role, with one documented password, for trying the system out.

Re-running resets the accounts' passwords (and unlocks them) instead of failing. The cadre account
is paired with households of the demo clerk's village that have no loginable helper yet, so logging
in as 帮扶责任人 shows a real caseload. Clerk, township reviewer and cadre all work in the same
township (城关镇 in 平利县), so a record filed by one is seen by the others.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.accounts.services import user_create
from fupin.audit.services import Action, Entry, entry_for, record, record_many
from fupin.core.clock import today
from fupin.helpers.demo import sync_demo_cadre
from fupin.regions.codes import Level, normalize_code
from fupin.regions.models import Region
from fupin.registry.models import Household

from .generator import DemoError

# For demonstrations on one's own machine only; printed by `fupin create_demo_users`.
DEMO_PASSWORD = "Fupin@2026"
DEMO_URL = "http://127.0.0.1:8000/"
DEMO_TOWNSHIP_NAME = "城关镇"  # the township reviewer's town, if the county has one of that name
DEMO_CADRE_HOUSEHOLDS = 10

# (username, role, region: which region of the county the account is bound to)
DEMO_ACCOUNTS = (
    ("demo_clerk", Role.VILLAGE_CLERK, "village"),
    ("demo_township", Role.TOWNSHIP_REVIEWER, "township"),
    ("demo_county", Role.COUNTY_APPROVER, "county"),
    ("demo_city", Role.CITY_VIEWER, "city"),
    ("demo_province", Role.PROVINCE_VIEWER, "province"),
    ("demo_auditor", Role.AUDITOR, "county"),
    ("demo_cadre", Role.CADRE, "cadre_township"),
    ("demo_admin", Role.SYSADMIN, "county"),
)


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    region_code: str
    region_name: str
    created: bool
    note: str = ""

    @property
    def role_label(self) -> str:
        return Role.LABELS[self.role]

    def as_dict(self) -> dict:
        return {"username": self.username, "password": self.password, "role": self.role,
                "role_label": self.role_label, "region_code": self.region_code, "region_name": self.region_name,
                "created": self.created, "note": self.note}


def _regions(county_code: str) -> dict[str, Region]:
    try:
        code = normalize_code(county_code)
    except ValueError as exc:
        raise DemoError(str(exc)) from None
    county = Region.objects.filter(code=code).first()
    if county is None or county.level != Level.COUNTY:
        raise DemoError(f"县级区划 {code[:6]} 不存在：请先运行 fupin load_regions")
    # The clerk's village lies in the reviewer's township (城关镇 if the county has one), so what the
    # clerk files is what the reviewer sees: the village of that township with the most households.
    township = Region.objects.filter(level=Level.TOWNSHIP, parent=county, name=DEMO_TOWNSHIP_NAME).first()
    top = _top_village(township or county)
    if top is None and township is not None:
        township, top = None, _top_village(county)
    if top is None:
        raise DemoError(f"{county.name}还没有建档立卡数据：请先运行 fupin generate_demo --county {code[:6]}")
    village = Region.objects.select_related("parent").get(code=top)
    township = township or village.parent
    city = county.parent if county.parent and county.parent.level == Level.CITY else None
    province = Region.objects.filter(code=code[:2] + "0" * 10).first()
    regions = {"village": village, "township": township, "county": county, "cadre_township": village.parent}
    if city is not None:
        regions["city"] = city
    if province is not None:
        regions["province"] = province
    return regions


def _top_village(region: Region) -> str | None:
    low, high = region.code_range.as_tuple()
    top = (Household.objects.filter(village_id__gte=low, village_id__lte=high).values("village_id")
           .annotate(n=Count("id")).order_by("-n", "village_id").first())
    return top["village_id"] if top else None


def _region_name(region: Region, county: Region) -> str:
    """平利县城关镇龙头村 for places inside the county; the plain name above it."""
    if region.level in (Level.TOWNSHIP, Level.VILLAGE):
        names = [region.name]
        parent = region.parent
        while parent is not None and parent.code != county.code:
            names.insert(0, parent.name)
            parent = parent.parent
        return county.name + "".join(names)
    return region.name


def _reset(user: User, *, role: str, region: Region, password: str) -> None:
    if user.role != role:
        raise DemoError(f"用户名“{user.username}”已被{user.role_label}账户使用，不是演示账户；未做任何修改")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DemoError("演示密码不符合密码规则：" + "；".join(exc.messages)) from None
    before = {"region": user.region_id, "is_active": user.is_active, "failed_logins": user.failed_logins,
              "locked_until": user.locked_until.isoformat() if user.locked_until else None}
    user.set_password(password)
    user.region = region
    user.is_active, user.failed_logins, user.locked_until = True, 0, None
    user.save(update_fields=["password", "region", "is_active", "failed_logins", "locked_until"])
    record(entry=entry_for(user, action=Action.UPDATE, region_code=region.code, before=before,
                           after={"region": region.code, "is_active": True, "failed_logins": 0, "locked_until": None,
                                  "password": "已重置为演示密码"}))


def _pair_cadre(cadre: User, village: Region) -> int:
    """Point up to DEMO_CADRE_HOUSEHOLDS households at the demo cadre (village first, then its
    township), taking only households whose helper cannot log in. Returns how many it now has."""
    low, high = cadre.region.code_range.as_tuple()
    in_township = Q(village_id__gte=low, village_id__lte=high)
    have = Household.objects.filter(in_township, helper=cadre).count()
    need = DEMO_CADRE_HOUSEHOLDS - have
    if need <= 0:
        return have
    free = Q(helper__isnull=True) | Q(helper__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    locked = Household.objects.select_for_update(of=("self",)).order_by("household_no")
    picked = list(locked.filter(free, village=village)[:need])
    if len(picked) < need:
        picked += list(locked.filter(free, in_township).exclude(village=village)[:need - len(picked)])
    if not picked:
        return have
    Household.objects.filter(pk__in=[h.pk for h in picked]).update(helper=cadre, updated_at=timezone.now())
    record_many(entries=[Entry(action=Action.UPDATE, object_type="registry.household", object_id=str(h.pk),
                               object_repr=str(h)[:200], region_code=h.village_id,
                               before={"helper_id": h.helper_id}, after={"helper_id": cadre.pk})
                         for h in picked])
    return have + len(picked)


@transaction.atomic
def ensure_demo_users(*, county_code: str, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Create (or reset) the demo accounts of every role for the county. All or nothing."""
    regions = _regions(county_code)
    county = regions["county"]
    accounts = []
    for username, role, where in DEMO_ACCOUNTS:
        region = regions.get(where)
        if region is None:
            continue  # e.g. a county directly under its province has no city to view
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            try:
                user = user_create(actor=None, username=username, password=password, role=role,
                                   region_code=region.code, full_name=f"演示{Role.LABELS[role]}")
            except ValidationError as exc:
                raise DemoError(f"无法创建演示账户 {username}：" + "；".join(exc.messages)) from None
            created = True
        else:
            _reset(user, role=role, region=region, password=password)
            created = False
        note = ""
        if role == Role.CADRE:
            paired = _pair_cadre(user, regions["village"])
            sync_demo_cadre(cadre=user, on=today())  # pairing records and a cadre profile
            note = f"结对 {paired} 户（{regions['village'].name}）"
        accounts.append(DemoAccount(username=username, password=password, role=role, region_code=region.code,
                                    region_name=_region_name(region, county), created=created, note=note))
    return accounts
