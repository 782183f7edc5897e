"""State changes of village-level arrangements: poor villages, helping units and their villages.

Each function is one transaction, keyword-only, checks role (rights.py) and scope (404 for an
object outside the actor's scope, 403 for a region outside it or without the right), raises a
Chinese ValidationError naming the field and writes its audit rows in the same transaction.
Work teams are in services_teams.py, cadres and household pairings in services_assign.py.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from fupin.accounts.scope import code_in_scope, scoped_get
from fupin.audit.services import Action, diff, entry_for, record, snapshot
from fupin.regions.codes import InvalidCode, Level, normalize_code
from fupin.regions.models import Region

from . import inputs
from .models import HelpingUnit, PoorVillage, UnitKind, UnitVillagePairing
from .rights import require_manage

UNIT_SCOPE = {"region_field": "region_id"}
VILLAGE_SCOPE = {"region_field": "village_id"}


def village_for_writing(actor, raw_code, *, field: str = "village", lock: bool = False) -> Region:
    """A village in the actor's scope, for a county approver (403 outside scope or without the right).
    With `lock` its row is locked until the transaction ends, so two requests checking "no overlapping
    team/pairing" for the same village run one after the other."""
    require_manage(actor)
    try:
        code = normalize_code(raw_code or "")
    except InvalidCode as exc:
        raise ValidationError({field: [str(exc)]}) from None
    regions = Region.objects.select_for_update() if lock else Region.objects
    region = regions.filter(code=code).first()
    if region is None or region.level != Level.VILLAGE:
        raise ValidationError({field: [f"行政村“{code}”不存在"]})
    if not code_in_scope(actor, code):
        raise PermissionDenied(f"行政村“{region.name}”不在您的管辖范围内")
    return region


def unit_for_writing(actor, unit_id, *, field: str = "unit", for_update: bool = False) -> HelpingUnit:
    """A unit the actor may use: registered in their scope (404 otherwise; then 403 without the right)."""
    pk = inputs.pk(unit_id, name=field, label="帮扶单位")
    unit = scoped_get(HelpingUnit.objects.select_related("region"), actor, pk=pk, for_update=for_update,
                      **UNIT_SCOPE)
    require_manage(actor)
    return unit


# --- 贫困村 ---------------------------------------------------------------------------------------

@transaction.atomic
def poor_village_save(*, actor, village_code: str, identified_year, exited_year=None, source: str = "") -> PoorVillage:
    """Designate a village poor (贫困村), or change its years; `exited_year` is its 出列 year."""
    village = village_for_writing(actor, village_code)
    data = {"source": source}
    identified = inputs.year(identified_year, name="identified_year", label="认定年度")
    exited = inputs.year(exited_year, name="exited_year", label="出列年度", required=False)
    if exited is not None and exited < identified:
        raise ValidationError({"exited_year": [f"出列年度 {exited} 不能早于认定年度 {identified}"]})
    source = inputs.text(data, "source", label="依据", max_length=200)
    row = PoorVillage.objects.select_for_update().filter(village=village).first()
    if row is None:
        row = PoorVillage.objects.create(village=village, identified_year=identified, exited_year=exited,
                                         source=source)
        record(actor=actor, entry=entry_for(row, action=Action.CREATE, region_code=village.code,
                                            after=snapshot(row)))
        return row
    before = snapshot(row)
    row.identified_year, row.exited_year, row.source = identified, exited, source
    old, new = diff(before, snapshot(row))
    if new:
        row.save(update_fields=["identified_year", "exited_year", "source"])
        record(actor=actor, entry=entry_for(row, action=Action.UPDATE, region_code=village.code, before=old, after=new))
    return row


# --- 帮扶单位 -------------------------------------------------------------------------------------

def _unit_fields(data: dict) -> dict:
    return {
        "name": inputs.text(data, "name", label="单位名称", max_length=100, required=True),
        "kind": inputs.choice(data, "kind", UnitKind, label="单位类别"),
        "contact_name": inputs.text(data, "contact_name", label="联系人", max_length=50),
        "contact_phone": inputs.phone(data, "contact_phone"),
        "note": inputs.text(data, "note", label="备注", max_length=200),
    }


@transaction.atomic
def unit_create(*, actor, region_code: str, data: dict) -> HelpingUnit:
    """Register a helping unit in `region_code` (the actor's county or a region inside it).
    `data`: name, kind (code or label, e.g. 县直单位), contact_name, contact_phone, note."""
    require_manage(actor)
    try:
        code = normalize_code(region_code or "")
    except InvalidCode as exc:
        raise ValidationError({"region": [str(exc)]}) from None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": [f"区划“{code}”不存在"]})
    if not code_in_scope(actor, code):
        raise PermissionDenied(f"“{region.name}”不在您的管辖范围内")
    fields = _unit_fields(data)
    if HelpingUnit.objects.filter(region=region, name=fields["name"]).exists():
        raise ValidationError({"name": [f"{region.name}已登记帮扶单位“{fields['name']}”"]})
    unit = HelpingUnit.objects.create(region=region, **fields)
    record(actor=actor, entry=entry_for(unit, action=Action.CREATE, region_code=region.code, after=snapshot(unit)))
    return unit


@transaction.atomic
def unit_update(*, actor, unit_id: int, data: dict) -> HelpingUnit:
    unit = unit_for_writing(actor, unit_id, for_update=True)
    fields = _unit_fields({**{f: getattr(unit, f) for f in ("name", "kind", "contact_name", "contact_phone", "note")},
                           **data})
    if (fields["name"] != unit.name
            and HelpingUnit.objects.filter(region_id=unit.region_id, name=fields["name"]).exclude(pk=unit.pk).exists()):
        raise ValidationError({"name": [f"已登记帮扶单位“{fields['name']}”"]})
    before = snapshot(unit)
    for name, value in fields.items():
        setattr(unit, name, value)
    old, new = diff(before, snapshot(unit))
    if new:
        unit.save(update_fields=list(fields))
        record(actor=actor, entry=entry_for(unit, action=Action.UPDATE, region_code=unit.region_id, before=old,
                                            after=new))
    return unit


# --- 单位包村 -------------------------------------------------------------------------------------

def overlapping(qs, start: date, end: date | None):
    """Rows of `qs` whose half-open period meets [start, end)."""
    qs = qs.filter(Q(end__isnull=True) | Q(end__gt=start))
    if end is not None:
        qs = qs.filter(start__lt=end)
    return qs


@transaction.atomic
def unit_pair_village(*, actor, unit_id: int, village_code: str, start) -> UnitVillagePairing:
    """Pair a helping unit with a village from `start` (单位包村). A village may have several units;
    the same unit is not paired twice with one village over the same period."""
    unit = unit_for_writing(actor, unit_id)
    village = village_for_writing(actor, village_code, lock=True)
    start = inputs.day(start, name="start", label="开始日期")
    clash = overlapping(UnitVillagePairing.objects.filter(unit=unit, village=village), start, None).first()
    if clash is not None:
        raise ValidationError({"unit": [f"“{unit.name}”已于 {clash.start} 起包{village.name}，时间重叠"]})
    pairing = UnitVillagePairing.objects.create(unit=unit, village=village, start=start)
    record(actor=actor, entry=entry_for(pairing, action=Action.CREATE, region_code=village.code,
                                        after=snapshot(pairing)))
    return pairing


@transaction.atomic
def unit_pairing_end(*, actor, pairing_id: int, end, reason: str) -> UnitVillagePairing:
    """End a unit's pairing with a village; the row stays as history."""
    pk = inputs.pk(pairing_id, name="pairing", label="包村记录")
    pairing = scoped_get(UnitVillagePairing.objects.select_related("unit", "village"), actor, pk=pk, for_update=True,
                         **VILLAGE_SCOPE)
    require_manage(actor)
    if pairing.end is not None:
        raise ValidationError({"end": [f"该包村记录已于 {pairing.end} 结束"]})
    end = inputs.day(end, name="end", label="结束日期")
    inputs.end_after(pairing.start, end)
    reason = inputs.text({"reason": reason}, "reason", label="结束原因", max_length=200, required=True)
    pairing.end, pairing.end_reason = end, reason
    pairing.save(update_fields=["end", "end_reason"])
    record(actor=actor, entry=entry_for(pairing, action=Action.UPDATE, region_code=pairing.village_id,
                                        before={"end": None, "end_reason": ""},
                                        after={"end": end.isoformat(), "end_reason": reason}))
    return pairing
