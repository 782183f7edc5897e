"""The import's checks against the database, after pass 1 (split from engine.py).

The households and members of the file are read from the scratch file (scratch.py) a batch at a
time, each batch checked with a few IN-queries and written back: memory stays that of one batch
whatever the size of the file. Problems come out in the same order as if every household were
checked in one go — each row belongs to one household, and a household's checks keep their order
(village → existing → new-household requirements → head name; ID numbers; frozen years).
"""

from fupin.accounts.scope import code_in_scope

from . import national
from .scratch import HInfo

BATCH = 1000


def check_with_database(imp) -> None:
    from fupin.registry.models import YearFreeze

    s = imp.scratch
    total = s.household_count()
    imp.progress("核对数据库", 0, total)
    done = 0
    for batch in s.iter_households(BATCH):
        if imp.layout == "template":
            _villages(imp, batch)
        else:
            _places(imp, batch)
        _existing(imp, batch)
        if imp.layout == "national":
            _national_heads(imp, batch)
        s.save(batch)
        done += len(batch)
        imp.progress("核对数据库", done // 2, total)
    _id_numbers(imp)
    frozen = set(YearFreeze.objects.filter(year=imp.year).values_list("region_code", flat=True))
    s.count_year_members()
    done = 0
    for batch in s.iter_households(BATCH):
        if frozen:
            _frozen(imp, batch, frozen)
        _sizes(imp, batch)
        s.save(batch)
        done += len(batch)
        imp.progress("核对数据库", (total + done) // 2, total)
    imp.progress("核对数据库", total, total)


def _problem(imp, info: HInfo, key, message: str, *, row: int | None = None) -> None:
    imp.add(imp._spec(info.sheet), row or info.row, key, message)


def _villages(imp, batch: list[HInfo]) -> None:
    from fupin.regions.codes import Level
    from fupin.regions.models import Region

    codes = sorted({i.village for i in batch if i.village})
    found = dict(Region.objects.filter(code__in=codes).values_list("code", "level")) if codes else {}
    for info in batch:
        if not info.village or info.bad:
            continue
        if found.get(info.village) != Level.VILLAGE:
            what = "不是行政村" if info.village in found else "不存在"
            _problem(imp, info, "household.village", f"行政村代码“{info.village}”{what}")
            info.bad = True
        elif not code_in_scope(imp.actor, info.village):
            _problem(imp, info, "household.village", f"行政村“{info.village}”不在您的管辖范围内")
            info.bad = True


def _places(imp, batch: list[HInfo]) -> None:
    places = {i.place for i in batch if i.place and i.place.village and i.place.township}
    resolved, unresolved = national.resolve_places(places, actor=imp.actor)
    for info in batch:
        if info.place in resolved:
            info.village = resolved[info.place]
        elif info.place in unresolved:
            _problem(imp, info, "nat.village", unresolved[info.place])
            info.bad = True


def _existing(imp, batch: list[HInfo]) -> None:
    """Households already in the database: their key and village, and whether the actor may change them."""
    from fupin.registry.models import Household

    by_no = {i.no: i for i in batch}
    for pk, no, village in Household.objects.filter(household_no__in=sorted(by_no)).values_list(
            "pk", "household_no", "village_id"):
        info = by_no[no]
        info.pk, info.old_village = pk, village
        if not code_in_scope(imp.actor, village):
            _problem(imp, info, "household.household_no", f"户编号“{no}”已被您管辖范围以外的户使用，不能导入或修改")
            info.bad = True


def _national_heads(imp, batch: list[HInfo]) -> None:
    """What a new household of the national layout must have; the 户主姓名 column against the head."""
    for info in batch:
        if info.pk is not None or info.bad:
            continue
        spec = imp._spec(info.sheet)
        if not info.head_name:
            _problem(imp, info, "nat.relation", f"新户“{info.no}”没有与户主关系为“户主”的成员")
        if "household.main_cause" not in spec.has and "nat.risk1" not in spec.has:
            _problem(imp, info, None, f"新户“{info.no}”缺少主要致贫原因：文件没有“主要致贫原因”列")
        if "household.registered_year" not in spec.has and not imp.registered_year:
            _problem(imp, info, None,
                     f"新户“{info.no}”缺少识别年度：文件没有“识别年度”列，请在导入时指定识别年度")
    for info in batch:
        if info.declared_head and info.head_name and info.declared_head != info.head_name:
            _problem(imp, info, "nat.head_name", f"户主姓名“{info.declared_head}”与户主成员“{info.head_name}”不一致",
                     row=info.head_row)


def _id_numbers(imp) -> None:
    """ID numbers already registered in another household (or twice in the same one)."""
    from fupin.registry.models import Member

    s = imp.scratch
    spec = next(sp for sp in imp.specs if sp.kind in ("member", "national"))
    for chunk in s.iter_members(BATCH):
        owner = {idn: (no, row) for idn, no, row in chunk}
        in_db: dict[tuple[int, str], int] = {}
        found, problems = [], []
        rows = Member.objects.filter(id_number__in=list(owner)).values_list(
            "id_number", "household_id", "household__household_no", "household__village_id", "left_on")
        for idn, hid, hno, village, left_on in rows:
            no = owner[idn][0]
            key = (hid, idn)
            if hno == no:
                found.append(idn)
                in_db[key] = in_db.get(key, 0) + 1
                if in_db[key] == 2:
                    problems.append((idn, "系统中该户已有两条证件号码相同的成员记录，请先处理后再导入"))
            elif left_on is None:
                where = f"户编号“{hno}”" if code_in_scope(imp.actor, village) else "您管辖范围以外的户"
                problems.append((idn, f"证件号码“{idn}”已登记在{where}中（未办理减少），同一人不能在两户"))
        for idn, message in problems:
            imp.add(spec, owner[idn][1], "member.id_number", message)
        s.mark_found(found)
        s.mark_bad(owner[idn][0] for idn, _message in problems)


def _frozen(imp, batch: list[HInfo], frozen: set[str]) -> None:
    from fupin.regions.codes import ancestor_codes

    for info in batch:
        for village in {info.village, info.old_village} - {None}:
            hit = frozen.intersection(ancestor_codes(village))
            if hit:
                _problem(imp, info, None, f"{imp.year} 年度数据已固化（区划 {min(hit)}），不能导入该年度数据")
                info.bad = True
                break


def _sizes(imp, batch: list[HInfo]) -> None:
    """Household size for the year: its members in the file with data for the year (counted by the
    scratch file) ∪ its members with data for the year already in the database."""
    from fupin.registry.models import MemberYear

    existing = {info.pk: info for info in batch if info.pk is not None}
    if not existing:
        return
    in_file = imp.scratch.year_ids([info.no for info in existing.values()])
    rows = MemberYear.objects.filter(year=imp.year, member__household_id__in=sorted(existing)).values_list(
        "member__household_id", "member__id_number")
    for hid, idn in rows:
        info = existing[hid]
        if idn not in in_file.get(info.no, ()):
            info.size += 1
