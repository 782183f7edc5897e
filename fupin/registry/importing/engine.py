"""Importing registry data from a workbook: validate everything, then write everything, or nothing.

    result = import_households(path, actor=user, year=2020, dry_run=False)

1. The file is checked before parsing (size from policy "import.max_file_mb", real xlsx, no zip bomb).
2. The layout is recognised: our template (户信息 + 成员信息 sheets) or the national export (one
   sheet, header within the first rows). Unknown template columns, missing required columns,
   repeated columns and merged cells in the data area reject the file.
3. Pass 1 streams the rows: each is cleaned by registry.validation (the same rules as forms and the
   API); cleaned rows are spooled to a temporary file, and what must be remembered per household
   and member (first row, head, ID numbers …) goes to a scratch SQLite file (scratch.py), so memory
   does not grow with the file. Then checks.py goes through the households and members a batch at
   a time with a few IN-queries: village codes / place names in scope, existing households (in
   scope?), ID numbers registered in another household, frozen years, household size for the year.
4. Any problem → nothing is written; an error workbook marks every bad cell (red fill, comment,
   a 错误原因 column). `dry_run` stops after validation.
5. Pass 2 reads the spool and writes in batches inside ONE transaction: bulk upserts of households
   (by 户编号), members (by household + 证件号码), yearly rows (by household/member + year), status
   events for new households and status changes (source "import"), and one audit entry per created
   or changed row. Unchanged rows are not touched and produce no audit entry, so re-importing the
   same file changes nothing.
"""

import pickle
import tempfile
from array import array
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require

from . import national
from .checks import check_with_database
from .layout import (
    ImportResult,
    Problem,
    SheetSpec,
    _national_spec,
    _template_specs,
)
from .reader import (
    CellProblem,
    FileRejected,
    cell_value,
    check_file,
    sheet_reader,
)
from .reader import open_workbook as _open_workbook
from .scratch import HInfo, Scratch
from .template import (
    HOUSEHOLD_SHEET,
)

BATCH = 2000
# Columns an export masks for roles that may not see personal data (accounts.masking).
MASKABLE = frozenset({"household.phone", "household.bank_account", "member.id_number", "member.phone"})
MAX_REPORTED = 500

Progress = Callable[[str, int, int], None]


# --- per-household fingerprints --------------------------------------------------------------

_KEYS: dict[tuple, tuple] = {}


def _fingerprint(*parts: dict) -> tuple[tuple, array]:
    """A household's values as (keys, hashes): the keys tuple is shared between households, the
    hashes are a compact array — small enough to keep one per household of a large file."""
    keys = tuple(f"{i}.{k}" for i, part in enumerate(parts) for k in part)
    keys = _KEYS.setdefault(keys, keys)
    return keys, array("q", (hash(tuple(v) if isinstance(v, list) else v) for part in parts for v in part.values()))


# --- the import ------------------------------------------------------------------------------

class Importer:
    def __init__(self, path, *, actor, year: int, dry_run: bool = False, registered_year: int | None = None,
                 progress: Progress | None = None, error_path=None, file_name: str | None = None):
        self.path = Path(path)
        self.actor = actor
        self.year = year
        self.dry_run = dry_run
        self.registered_year = registered_year
        self.progress = progress or (lambda phase, done, total: None)
        self.error_path = Path(error_path) if error_path else None
        self.file_name = file_name or self.path.name
        self.result = ImportResult(ok=False, file_name=self.file_name, year=year, dry_run=dry_run)
        self.error_count = 0
        # Households, members and problems of the file: on disk while _run runs (scratch.py).
        self.scratch: Scratch | None = None
        self.specs: list[SheetSpec] = []
        self.rows_read = 0
        self.rows_empty = 0
        self._household_cache = None

    # problems -------------------------------------------------------------------------------
    def add(self, spec: SheetSpec, row: int, key_or_index, message: str) -> None:
        idx = key_or_index if isinstance(key_or_index, int) or key_or_index is None else None
        if isinstance(key_or_index, str):
            idx = spec.index_of(key_or_index)
            if idx is None:
                idx = spec.index_of(national.ORIGIN.get(key_or_index))
        self.scratch.add_problem(self._sheet_nos[spec.title], row, idx, message)
        self.error_count += 1

    def add_errors(self, spec: SheetSpec, row: int, target: str, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, msgs in exc.message_dict.items():
                for msg in msgs:
                    self.add(spec, row, f"{target}.{name}", msg)
        else:
            for msg in exc.messages:
                self.add(spec, row, None, msg)

    # entry point ----------------------------------------------------------------------------
    def run(self) -> ImportResult:
        from fupin.policy.selectors import resolve

        try:
            require(self.actor, Cap.EDIT_REGISTRY)
        except PermissionDenied:
            return self._fail_file("您的角色无权导入建档立卡数据")
        if not 2000 <= int(self.year) <= 2100:
            return self._fail_file(f"年度“{self.year}”无效")
        region = self.actor.region_id
        max_mb = resolve("import.max_file_mb", year=self.year, region_code=region).value
        self.max_other = resolve("registry.max_other_causes", year=self.year, region_code=region).value
        try:
            check_file(self.path, max_mb=max_mb, name=self.file_name)
            wb = _open_workbook(self.path, name=self.file_name)
        except FileRejected as exc:
            return self._fail_file(str(exc))
        try:
            return self._run(wb)
        except FileRejected as exc:
            return self._fail_file(str(exc))
        finally:
            wb.close()

    def _fail_file(self, message: str) -> ImportResult:
        self.result.ok = False
        self.result.problems = [Problem("", None, "", message)]
        self.result.error_count = 1
        self.result.message = f"导入失败，未写入任何数据：{message}"
        return self.result

    def _run(self, wb) -> ImportResult:
        if HOUSEHOLD_SHEET in wb.sheetnames:
            self.layout = "template"
            self.specs = _template_specs(wb)
        else:
            self.layout = "national"
            self.specs = [_national_spec(wb)]
        self.result.layout = self.layout
        self.result.ignored_columns = [c for s in self.specs for c in s.ignored]
        self._sheet_nos = {s.title: i for i, s in enumerate(self.specs)}
        with tempfile.TemporaryFile(prefix="fupin-import-") as spool, Scratch() as scratch:
            self.spool = spool
            self.spooled = 0
            self.scratch = scratch
            self._pass_validate(wb)
            scratch.flush()
            if self.rows_read == self.rows_empty:
                raise FileRejected("文件中没有数据：表头以下全是空行")
            check_with_database(self)
            self.result.counts = self._planned_counts()
            if self.error_count:
                return self._finish_failed(wb)
            if self.dry_run:
                self.result.ok = True
                c = self.result.counts
                self.result.message = (f"校验通过（仅校验，未写入）：共 {c['households']} 户 {c['members']} 人，"
                                       f"其中新户 {c['households_new']}、新成员 {c['members_new']}")
                return self.result
            from .writer.database import write_all

            spool.seek(0)
            counts = write_all(self, spool)
        self.result.ok = True
        self.result.counts = {**self.result.counts, **counts}
        self.result.message = _summary(self.result.counts)
        return self.result

    # pass 1 ---------------------------------------------------------------------------------
    def _spool(self, batch: list) -> None:
        if batch:
            pickle.dump(batch, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
            self.spooled += len(batch)

    def _rows(self, wb, spec: SheetSpec):
        """Data rows below the header as (row number, {key: value}, {key: problem}); empty rows skipped."""
        for number, values in sheet_reader(wb[spec.title]).rows():
            if number <= spec.header_row:
                continue
            self.rows_read += 1
            data, bad = {}, {}
            for idx, key in spec.columns.items():
                raw = values[idx] if idx < len(values) else None
                try:
                    data[key] = value = cell_value(raw, date_field=key in spec.date_keys)
                except CellProblem as exc:
                    data[key] = None
                    bad[key] = str(exc)
                    continue
                if key in MASKABLE and isinstance(value, str) and "*" in value:
                    bad[key] = (f"“{value}”是脱敏后的值（含 *），不能导入：请用可查看完整个人信息的账号"
                                "（如审计员）导出后再导入")
            # Cells outside the known columns count too: a row with data only there is not empty.
            if not bad and all(v is None for v in data.values()) and \
                    all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                self.rows_empty += 1
                continue
            yield number, data, bad

    def _pass_validate(self, wb) -> None:
        total = sum(max(s.estimated_rows - s.header_row, 0) for s in self.specs)
        done = 0
        for spec in self.specs:
            batch = []
            handler = {"household": self._template_household, "member": self._template_member,
                       "national": self._national_row}[spec.kind]
            for number, data, bad in self._rows(wb, spec):
                for key, message in bad.items():
                    self.add(spec, number, key, message)
                batch.extend(handler(spec, number, data, bad))
                done += 1
                if len(batch) >= BATCH:
                    self._spool(batch)
                    batch = []
                if done % 500 == 0:
                    self.progress("校验", done, max(total, done))
            self._spool(batch)
        self.progress("校验", done, done)

    @staticmethod
    def _split(data: dict, target: str) -> dict:
        prefix = target + "."
        return {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}

    def _clean_household(self, spec, number, raw: dict) -> dict | None:
        from ..models import Household
        from ..validation import HOUSEHOLD_INPUT, clean_household, clean_value

        cleaned, ok = {}, True
        raw = _drop_blank_defaults(Household, raw)
        try:
            cleaned = clean_household({k: v for k, v in raw.items() if k in HOUSEHOLD_INPUT},
                                      max_other_causes=self.max_other)
        except ValidationError as exc:
            self.add_errors(spec, number, "household", exc)
            ok = False
        for name in ("status", "exit_year"):
            if name not in raw or (name == "status" and raw[name] is None):
                continue
            try:
                cleaned[name] = clean_value(Household._meta.get_field(name), raw[name])
            except ValidationError as exc:
                ok = False
                for msg in exc.messages:
                    self.add(spec, number, f"household.{name}", msg)
        return cleaned if ok else None

    def _clean_year(self, spec, number, raw: dict, *, member: bool) -> dict | None:
        from ..models import HouseholdYear, MemberYear
        from ..validation import clean_household_year, clean_member_year

        if not raw:
            return None
        raw = _drop_blank_defaults(MemberYear if member else HouseholdYear, raw)
        try:
            return (clean_member_year if member else clean_household_year)(raw)
        except ValidationError as exc:
            self.add_errors(spec, number, "member_year" if member else "household_year", exc)
            return None

    def _clean_member(self, spec, number, raw: dict) -> dict | None:
        from ..models import Member
        from ..validation import MEMBER_INPUT, clean_member, clean_value

        raw = _drop_blank_defaults(Member, raw)
        try:
            # A blank 性别/出生日期 is derived from a resident ID (and required for other IDs).
            cleaned = clean_member({k: v for k, v in raw.items() if k in MEMBER_INPUT
                                    and not (v is None and k in ("gender", "birth_date"))})
        except ValidationError as exc:
            self.add_errors(spec, number, "member", exc)
            cleaned = None
        leave = {}
        for name in ("left_on", "left_reason"):
            if name in raw:
                try:
                    leave[name] = clean_value(Member._meta.get_field(name), raw[name])
                except ValidationError as exc:
                    cleaned = None
                    for msg in exc.messages:
                        self.add(spec, number, f"member.{name}", msg)
        if cleaned is not None and leave:
            if bool(leave.get("left_on")) != bool(leave.get("left_reason")) and \
                    {"left_on", "left_reason"} <= set(leave):
                self.add(spec, number, "member.left_reason", "减少日期和减少原因须同时填写或同时留空")
                return None
            cleaned.update(leave)
        return cleaned

    def _check_year(self, spec, number, data) -> None:
        raw = data.get("meta.year")
        if raw is None:
            return
        text = str(raw).strip()
        if text != str(self.year):
            self.add(spec, number, "meta.year",
                     f"年度“{text}”与本次导入的年度 {self.year} 不一致（一次只能导入一个年度的数据）")

    def _template_household(self, spec, number, data, bad) -> list:
        from ..validation import clean_value

        self._check_year(spec, number, data)
        raw = self._split(data, "household")
        no = raw.get("household_no")
        if no is None:
            if "household.household_no" not in bad:
                self.add(spec, number, "household.household_no", "户编号不能为空")
            return []
        from ..models import Household

        try:
            no = clean_value(Household._meta.get_field("household_no"), no)
        except ValidationError as exc:
            self.add(spec, number, "household.household_no", exc.messages[0])
            return []
        seen = self.scratch.household(no)
        if seen is not None:
            self.add(spec, number, "household.household_no", f"户编号“{no}”重复（第 {seen.row} 行已有此户）")
            return []
        info = self.scratch.add_household(no, spec.title, number)
        hdata = self._clean_household(spec, number, raw)
        hy_raw = _stated(self._split(data, "household_year"))
        hy = self._clean_year(spec, number, hy_raw, member=False) if hy_raw else None
        if hdata is None or (hy_raw and hy is None) or bad:
            info.bad = True
            return []
        info.village = hdata.get("village_id")
        info.head_name = hdata.get("head_name")
        return [("H", spec.title, number, no, hdata, hy, {})]

    def _template_member(self, spec, number, data, bad) -> list:
        no = data.get("meta.household_no")
        no = str(no).strip() if no is not None else None
        mdata = self._clean_member(spec, number, self._split(data, "member"))
        my_raw = _stated(self._split(data, "member_year"))
        my = self._clean_year(spec, number, my_raw, member=True) if my_raw else None
        if not no:
            if "meta.household_no" not in bad:
                self.add(spec, number, "meta.household_no", "户编号不能为空")
            return []
        info = self.scratch.household(no)
        if info is None:
            self.add(spec, number, "meta.household_no", f"户编号“{no}”在“{HOUSEHOLD_SHEET}”表中没有对应的行")
            return []
        if mdata is None or (my_raw and my is None) or bad:
            return []
        if not self._register_member(spec, number, no, info, mdata, my):
            return []
        if mdata.get("relation") == "head" and info.head_name and mdata["name"] != info.head_name:
            self.add(spec, number, "member.name",
                     f"户主“{mdata['name']}”与“{HOUSEHOLD_SHEET}”表第 {info.row} 行的户主姓名“{info.head_name}”不一致")
            return []
        return [("M", spec.title, number, no, mdata, my)]

    def _register_member(self, spec, number, no: str, info: HInfo, mdata: dict, my: dict | None) -> bool:
        idn = mdata["id_number"]
        seen = self.scratch.member(idn)
        if seen is not None:
            owner, first = seen
            if owner == no:
                self.add(spec, number, "member.id_number", f"证件号码“{idn}”在同一户中重复（第 {first} 行已有）")
            else:
                self.add(spec, number, "member.id_number",
                         f"证件号码“{idn}”同时出现在户编号“{owner}”（第 {first} 行）和“{no}”中")
            return False
        if mdata.get("relation") == "head":
            if info.head_row is not None:
                self.add(spec, number, "member.relation", f"一户只能有一名户主（第 {info.head_row} 行已是户主）")
                return False
            info.head_row = number
        self.scratch.add_member(no, idn, number, in_year=my is not None)
        return True

    def _national_row(self, spec, number, data, bad) -> list:
        errors: dict[str, list[str]] = {}
        names = [data.get(k) for k in national.PLACE_KEYS]
        declared_head = data.get("nat.head_name")
        original = data
        data = national.translate(data, errors=errors, has=spec.has)
        for key, msgs in errors.items():
            for msg in msgs:
                self.add(spec, number, key, msg)
        parts = _buckets(data)
        raw_h, hy_raw = parts.get("household", {}), parts.get("household_year", {})
        no = raw_h.get("household_no")
        flag = data.get(national.ROAD_NOT_HARDENED)
        # The household's columns repeat on each member row: a row repeating the previous row's
        # household values exactly (the usual case) reuses its cleaned values.
        cache_key = (tuple(raw_h.items()), tuple(hy_raw.items()), tuple(names), declared_head, flag)
        cached = self._household_cache if self._household_cache and self._household_cache[0] == cache_key else None
        if cached:
            hdata, hy = cached[1], cached[2]
        else:
            hdata = self._clean_household(spec, number, raw_h)
            hy = self._clean_year(spec, number, hy_raw, member=False) if hy_raw else None
        mdata = self._clean_member(spec, number, parts.get("member", {}))
        my_raw = parts.get("member_year", {})
        my = self._clean_year(spec, number, my_raw, member=True) if my_raw else None
        for key in ("nat.township", "nat.village"):
            if original.get(key) is None and key not in bad:
                self.add(spec, number, key, f"{spec.headers[spec.index_of(key)]}不能为空")
        if not no:
            if "household.household_no" not in bad:
                self.add(spec, number, "household.household_no", "户编号不能为空")
            return []
        no = str(no).strip()
        place = national.Place(*(str(n).strip() if n is not None else "" for n in names))
        info = self.scratch.household(no)
        first = info is None
        if first:
            info = self.scratch.add_household(no, spec.title, number)
            info.place = place
            info.declared_head = declared_head
        failed = bool(bad or errors) or hdata is None or (hy_raw and hy is None)
        if cached and cached[3] is info.fingerprint:
            pass  # the same values as the row before, already compared
        elif hdata is not None and (not hy_raw or hy is not None):
            fp = _fingerprint(hdata, hy or {}, {"place": place, "head": declared_head, "flag": flag})
            self._household_cache = None
            if info.fingerprint is None:
                info.fingerprint = fp
            elif fp != info.fingerprint:
                first_fp = dict(zip(*info.fingerprint, strict=True))
                differing = [k for k, h in zip(*fp, strict=True) if first_fp.get(k) != h]
                for k in differing:
                    part, name = k.split(".", 1)
                    key = {"0": "household", "1": "household_year"}.get(part)
                    key = f"{key}.{name}" if key else {"place": "nat.village", "head": "nat.head_name",
                                                       "flag": "nat.road_hardened"}[name]
                    col = spec.headers.get(spec.index_of(key) if spec.index_of(key) is not None
                                           else spec.index_of(national.ORIGIN.get(key)), "")
                    self.add(spec, number, key, f"同一户的{col or '户信息'}与第 {info.row} 行不一致（户编号“{no}”）")
                failed = failed or bool(differing)
        if failed:
            info.bad = True
        elif not cached:
            self._household_cache = (cache_key, hdata, hy, info.fingerprint)
        out = []
        if first and not failed:
            flags = {national.ROAD_NOT_HARDENED: True} if flag else {}
            out.append(("H", spec.title, number, no, hdata, hy, flags))
        if mdata is None or (my_raw and my is None) or bad or errors:
            return out
        if not self._register_member(spec, number, no, info, mdata, my):
            return out
        if mdata.get("relation") == "head":
            info.head_name = mdata["name"]
        out.append(("M", spec.title, number, no, mdata, my))
        return out

    # after the checks ------------------------------------------------------------------------
    def _spec(self, title: str) -> SheetSpec:
        return next(s for s in self.specs if s.title == title)

    def _planned_counts(self) -> dict:
        c = self.scratch.counts()
        return {
            "rows": self.rows_read - self.rows_empty,
            "empty_rows": self.rows_empty,
            "households": c["households"],
            "households_new": c["households_new"],
            "members": c["members"],
            "members_new": c["members"] - c["members_found"],
        }

    def _finish_failed(self, wb) -> ImportResult:
        problems = []
        for sheet_no, row, idx, message in self.scratch.problems(MAX_REPORTED):
            spec = self.specs[sheet_no]
            problems.append(Problem(spec.title, row, spec.headers.get(idx, "") if idx is not None else "", message))
        self.result.problems = problems
        self.result.error_count = self.error_count
        rows = self.scratch.problem_rows()
        self.result.message = f"导入失败，未写入任何数据：{rows} 行共 {self.error_count} 处错误"
        if self.error_path:
            from .writer.errors import write_error_workbook

            self.progress("生成错误标注文件", 0, 1)
            write_error_workbook(self.error_path, wb, self.specs, _ProblemsByRow(self))
            self.result.error_file = str(self.error_path)
        return self.result


class _ProblemsByRow:
    """What write_error_workbook reads, problems.get((sheet title, row)), from the scratch file."""

    def __init__(self, importer: Importer):
        self.scratch, self.sheet_nos = importer.scratch, importer._sheet_nos

    def get(self, key: tuple[str, int]) -> list[tuple[int | None, str]]:
        return self.scratch.problems_at(self.sheet_nos[key[0]], key[1])


_DEFAULTED: dict[type, frozenset[str]] = {}


def _drop_blank_defaults(model, raw: dict) -> dict:
    """Leave out blank cells of fields that cannot be blank but have a default (贫困户属性, 民族,
    健康状况, yes/no columns …): a blank cell then leaves a stored value as it is, and a new record
    gets the default — rather than resetting a stored value to the default. Fields that may be
    blank or null are cleared by a blank cell; required fields without a default stay an error."""
    from django.db import models as m

    names = _DEFAULTED.get(model)
    if names is None:
        names = _DEFAULTED[model] = frozenset(
            f.name for f in model._meta.concrete_fields
            if f.has_default() and not f.null and (isinstance(f, m.BooleanField) or not f.blank))
    return {k: v for k, v in raw.items() if not (v is None and k in names)}


def _buckets(data: dict) -> dict[str, dict]:
    """{"household.phone": v, "member.name": w} → {"household": {"phone": v}, "member": {"name": w}}."""
    out: dict[str, dict] = {}
    for key, value in data.items():
        target, _, name = key.partition(".")
        out.setdefault(target, {})[name] = value
    return out


def _stated(raw: dict) -> dict:
    """A row's yearly columns, or {} when every one of them is blank: such a row says nothing about
    the year (no yearly record is made, an existing one keeps its values)."""
    return raw if any(v is not None for v in raw.values()) else {}


def _summary(c: dict) -> str:
    return (f"导入完成：户 新增 {c.get('households_created', 0)}、更新 {c.get('households_updated', 0)}、"
            f"未变 {c.get('households_unchanged', 0)}；成员 新增 {c.get('members_created', 0)}、"
            f"更新 {c.get('members_updated', 0)}、未变 {c.get('members_unchanged', 0)}")


def import_households(path, *, actor, year: int, dry_run: bool = False, registered_year: int | None = None,
                      progress: Progress | None = None, error_path=None, file_name: str | None = None) -> ImportResult:
    """Import a workbook (our template or the national export) for `year` as `actor`.

    All or nothing: any problem → nothing written, and (with `error_path`) an error workbook.
    Scope: only households in villages inside the actor's region subtree."""
    importer = Importer(path, actor=actor, year=year, dry_run=dry_run, registered_year=registered_year,
                        progress=progress, error_path=error_path, file_name=file_name)
    return importer.run()


__all__ = ["FileRejected", "ImportResult", "Problem", "import_households"]
