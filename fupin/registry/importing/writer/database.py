"""Writing validated rows: bulk upserts in one transaction, an audit entry per created/changed row.

Called by the engine after pass 1 found no problem. Reads the spooled batches in file order (a
household's record always precedes its members'), and per batch issues a few IN-queries to load
what exists, then writes — never a query per row. What it needs of households of other batches
(village, head, size; the key and village written) is read from the import's scratch file, a batch
at a time, so memory does not grow with the file. New rows (most rows of a first import) are
plain dicts written by `core.bulk.TableWriter` (COPY on PostgreSQL, keys drawn from the sequence
first), and their audit entries are built from the same dicts; changed rows go through model
instances and bulk_update, so their before/after differences are exact.
"""

import json
import pickle
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from fupin.audit.services import Action, Entry, entry_for, record_many
from fupin.core.bulk import TableWriter, json_safe
from fupin.core.clock import today

from ...choices import DEFAULT_EVENT_KIND, HouseholdStatus, RoadType, StatusChangeSource
from ...income import derive
from ...models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear
from ..national import ROAD_NOT_HARDENED

SKIP = frozenset({"id", "created_at", "updated_at"})
INCOME = ("wage_income", "business_income", "business_cost", "property_income", "transfer_income")


def _names(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in SKIP]


H_FIELDS = _names(Household)
HY_FIELDS = _names(HouseholdYear)
M_FIELDS = _names(Member)
MY_FIELDS = _names(MemberYear)


def _json(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _state(obj, names) -> dict:
    return {n: getattr(obj, n) for n in names}


def _changes(before: dict, obj, names) -> tuple[dict, dict]:
    """Fields whose value changed, as JSON-safe before/after dicts (like audit.services.diff)."""
    b, a = {}, {}
    for n in names:
        new = getattr(obj, n)
        if before[n] != new:
            b[n], a[n] = _json(before[n]), _json(new)
    if a:
        b, a = json.loads(json.dumps(b, ensure_ascii=False)), json.loads(json.dumps(a, ensure_ascii=False))
    return b, a


def _created(model, row: dict, *, region_code: str) -> Entry:
    """The audit entry of a new row, as `entry_for(obj, after=snapshot(obj))` would make it, built
    from the inserted values (no model instance: ~20 µs less per row). The repr is the model's own
    __str__ applied to the values."""
    return Entry(action=Action.CREATE, object_type=model._meta.label_lower, object_id=str(row["id"]),
                 object_repr=model.__str__(SimpleNamespace(**row))[:200], region_code=region_code,
                 after=json_safe(row))


def _field_names(model, attnames: set[str]) -> list[str]:
    """attnames → field names for bulk_update (village_id → village)."""
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    return sorted({by_attname[a] for a in attnames} | {"updated_at"})


class Writer:
    def __init__(self, importer):
        self.imp = importer
        self.actor = importer.actor
        self.year = importer.year
        self.now = timezone.now()
        self.counts: Counter = Counter()
        self.reason = f"导入建档立卡数据（{importer.file_name}）"[:300]
        self.tables = {model: TableWriter(model) for model in (Household, HouseholdYear, Member, MemberYear,
                                                                HouseholdStatusEvent)}
        self.defaults = {model: {f.attname: f.get_default() for f in model._meta.concrete_fields}
                         for model in (HouseholdYear,)}

    def batch(self, records: list) -> None:
        entries: list[Entry] = []
        # New households of this batch: their creation entry also carries the yearly rows, members
        # and members' yearly rows created for them in the same batch (one audit row per household,
        # not four per person — like the demo generator's). Rows created in a later batch (a
        # household's members spread over the file) get entries of their own.
        self.fresh: dict[int, dict] = {}
        self.fresh_members: dict[int, int] = {}  # member pk → household pk, for members of fresh households
        households = [r for r in records if r[0] == "H"]
        members = [r for r in records if r[0] == "M"]
        if households:
            self._households(households, entries)
        if members:
            self._members(members, entries)
        for entry in self.fresh.values():
            entries.append(entry)
        if entries:
            record_many(actor=self.actor, entries=entries)
            self.counts["audit_entries"] += len(entries)

    # households ------------------------------------------------------------------------------
    def _households(self, records: list, entries: list) -> None:
        imp = self.imp
        nos = [r[3] for r in records]
        existing = {h.household_no: h for h in
                    Household.objects.select_for_update().filter(household_no__in=nos)}
        infos = imp.scratch.households(nos)
        created, changed, events, touched = [], [], [], set()
        for _, _sheet, _row, no, hdata, _hy, _flags in records:
            info = infos[no]
            data = dict(hdata)
            status = data.pop("status", None)
            if imp.layout == "national":
                data["village_id"] = info.village
                if info.head_name:
                    data["head_name"] = info.head_name
            h = existing.get(no)
            if h is None:
                if "registered_year" not in data and imp.registered_year:
                    data["registered_year"] = imp.registered_year
                data["status"] = status or HouseholdStatus.NOT_EXITED.value
                if "village" in data:
                    data["village_id"] = data.pop("village")
                created.append(data)
                continue
            before = _state(h, H_FIELDS)
            for name, value in data.items():
                setattr(h, name, value)
            if status:
                h.status = status
            b, a = _changes(before, h, H_FIELDS)
            if not a:
                self.counts["households_unchanged"] += 1
                continue
            h.updated_at = self.now
            changed.append(h)
            touched.update(a)
            entries.append(entry_for(h, action=Action.UPDATE, region_code=h.village_id, before=b, after=a))
            if "status" in a:
                events.append(self._event(h.pk, before["status"], h.status))
        # 户编号 → (pk, village, status) of every household of the batch
        by_no = {no: (h.pk, h.village_id, h.status) for no, h in existing.items()}
        if created:
            _ids, rows = self.tables[Household].insert_returning_ids(created, now=self.now)
            for row in rows:
                entry = self.fresh[row["id"]] = _created(Household, row, region_code=row["village_id"])
                entry.after.update(years=[], members=[], member_years=[])
                events.append(self._event(row["id"], "", row["status"]))
                by_no[row["household_no"]] = (row["id"], row["village_id"], row["status"])
        if changed:
            Household.objects.bulk_update(changed, _field_names(Household, touched), batch_size=500)
        if events:
            self.tables[HouseholdStatusEvent].insert(events, now=self.now, keep=False)
        self.counts["households_created"] += len(created)
        self.counts["households_updated"] += len(changed)
        self.counts["status_events"] += len(events)
        # for the members that follow, in this batch or a later one
        imp.scratch.set_written([(no, pk, village) for no, (pk, village, _status) in by_no.items()])
        self._household_years(records, by_no, infos, entries)

    def _event(self, household_id: int, from_status: str, to_status: str) -> dict:
        return {"household_id": household_id, "year": self.year, "from_status": from_status,
                "to_status": to_status, "kind": DEFAULT_EVENT_KIND[HouseholdStatus(to_status)],
                "effective_on": today(), "source": StatusChangeSource.IMPORT.value, "reason": self.reason,
                "actor_id": self.actor.pk, "actor_name": self.actor.username}

    def _household_years(self, records: list, by_no: dict, infos: dict, entries: list) -> None:
        pks = [by_no[r[3]][0] for r in records]
        existing = {hy.household_id: hy for hy in
                    HouseholdYear.objects.select_for_update().filter(household_id__in=pks, year=self.year)}
        defaults = self.defaults[HouseholdYear]
        created, changed, touched, villages = [], [], set(), {}
        for _, _sheet, _row, no, _hdata, hy_data, flags in records:
            pk, village, status = by_no[no]
            hy = existing.get(pk)
            if hy is None and hy_data is None:
                continue
            if hy is None:
                row = {**(hy_data or {}), "household_id": pk, "year": self.year}
                if flags.get(ROAD_NOT_HARDENED) and row.get("access_road", defaults["access_road"]) == RoadType.HARDENED:
                    row["access_road"] = RoadType.NONE.value
                row["status"] = status
                row["household_size"] = infos[no].size
                row["net_income"], row["per_capita_income"] = derive(
                    {f: row.get(f, defaults[f]) for f in INCOME}, row["household_size"])
                created.append(row)
                villages[pk] = village
                continue
            before = _state(hy, HY_FIELDS)
            for name, value in (hy_data or {}).items():
                setattr(hy, name, value)
            if flags.get(ROAD_NOT_HARDENED) and hy.access_road == RoadType.HARDENED:
                hy.access_road = RoadType.NONE.value
            hy.status = status
            hy.household_size = infos[no].size
            hy.net_income, hy.per_capita_income = derive({f: getattr(hy, f) for f in INCOME}, hy.household_size)
            b, a = _changes(before, hy, HY_FIELDS)
            if not a:
                self.counts["household_years_unchanged"] += 1
                continue
            hy.updated_at = self.now
            changed.append(hy)
            touched.update(a)
            entries.append(entry_for(hy, action=Action.UPDATE, region_code=village, before=b, after=a))
        if created:
            _ids, rows = self.tables[HouseholdYear].insert_returning_ids(created, now=self.now)
            for row in rows:
                fresh = self.fresh.get(row["household_id"])
                if fresh is not None:
                    fresh.after["years"].append(json_safe(row))
                else:
                    entries.append(_created(HouseholdYear, row, region_code=villages[row["household_id"]]))
        if changed:
            HouseholdYear.objects.bulk_update(changed, _field_names(HouseholdYear, touched), batch_size=500)
        self.counts["household_years_created"] += len(created)
        self.counts["household_years_updated"] += len(changed)

    # members ---------------------------------------------------------------------------------
    def _members(self, records: list, entries: list) -> None:
        hh = self.imp.scratch.written(r[3] for r in records)
        hids = {hh[r[3]][0] for r in records}
        ids = {r[4]["id_number"] for r in records}
        existing = {(m.household_id, m.id_number): m for m in
                    Member.objects.select_for_update().filter(household_id__in=hids, id_number__in=ids)}
        created, changed, touched = [], [], set()
        rows = []  # (member pk or the index of the new row, village, yearly data)
        for _, _sheet, _row, no, mdata, my_data in records:
            hid, village = hh[no]
            m = existing.get((hid, mdata["id_number"]))
            if m is None:
                created.append({**mdata, "household_id": hid})
                rows.append((-len(created), village, my_data))
                continue
            before = _state(m, M_FIELDS)
            for name, value in mdata.items():
                setattr(m, name, value)
            b, a = _changes(before, m, M_FIELDS)
            if a:
                m.updated_at = self.now
                changed.append(m)
                touched.update(a)
                entries.append(entry_for(m, action=Action.UPDATE, region_code=village, before=b, after=a))
            else:
                self.counts["members_unchanged"] += 1
            rows.append((m.pk, village, my_data))
        if created:
            rows_before = rows
            new_ids, written = self.tables[Member].insert_returning_ids(created, now=self.now)
            rows = [(new_ids[-key - 1] if key < 0 else key, village, my) for key, village, my in rows]
            villages = [village for key, village, _my in rows_before if key < 0]
            for row, village in zip(written, villages, strict=True):
                fresh = self.fresh.get(row["household_id"])
                if fresh is not None:
                    fresh.after["members"].append(json_safe(row))
                    self.fresh_members[row["id"]] = row["household_id"]
                else:
                    entries.append(_created(Member, row, region_code=village))
        if changed:
            Member.objects.bulk_update(changed, _field_names(Member, touched), batch_size=500)
        self.counts["members_created"] += len(created)
        self.counts["members_updated"] += len(changed)
        self._member_years(rows, entries)

    def _member_years(self, rows: list, entries: list) -> None:
        mids = [pk for pk, _, my in rows if my is not None]
        if not mids:
            return
        existing = {my.member_id: my for my in
                    MemberYear.objects.select_for_update().filter(member_id__in=mids, year=self.year)}
        created, changed, touched, villages = [], [], set(), {}
        for pk, village, my_data in rows:
            if my_data is None:
                continue
            my = existing.get(pk)
            if my is None:
                created.append({**my_data, "member_id": pk, "year": self.year})
                villages[pk] = village
                continue
            before = _state(my, MY_FIELDS)
            for name, value in my_data.items():
                setattr(my, name, value)
            b, a = _changes(before, my, MY_FIELDS)
            if not a:
                self.counts["member_years_unchanged"] += 1
                continue
            my.updated_at = self.now
            changed.append(my)
            touched.update(a)
            entries.append(entry_for(my, action=Action.UPDATE, region_code=village, before=b, after=a))
        if created:
            _ids, written = self.tables[MemberYear].insert_returning_ids(created, now=self.now)
            for row in written:
                household = self.fresh_members.get(row["member_id"])
                if household is not None:
                    self.fresh[household].after["member_years"].append(json_safe(row))
                else:
                    entries.append(_created(MemberYear, row, region_code=villages[row["member_id"]]))
        if changed:
            MemberYear.objects.bulk_update(changed, _field_names(MemberYear, touched), batch_size=500)
        self.counts["member_years_created"] += len(created)
        self.counts["member_years_updated"] += len(changed)

    def finish(self) -> None:
        c = self.counts
        changed = sum(c[k] for k in c if k.endswith(("_created", "_updated")))
        if changed:
            record_many(actor=self.actor, entries=[Entry(
                action=Action.IMPORT, object_type="registry.import", object_repr=self.imp.file_name[:200],
                region_code=self.actor.region_id,
                after={"file": self.imp.file_name, "year": self.year, "layout": self.imp.layout,
                       **dict(sorted(c.items()))})])
            c["audit_entries"] += 1


def write_all(importer, spool) -> dict:
    """Write every spooled batch in one transaction; returns the counts."""
    writer = Writer(importer)
    total = max(importer.spooled, 1)
    done = 0
    importer.progress("写入", 0, total)
    with transaction.atomic():
        while True:
            try:
                records = pickle.load(spool)
            except EOFError:
                break
            writer.batch(records)
            done += len(records)
            importer.progress("写入", done, total)
        writer.finish()
    return dict(writer.counts)
