"""The import keeps its per-file state in a scratch file, not in memory (importing/scratch.py).

With the in-memory parts cut down to a few entries (5 households cached, members and problems
written 3 at a time, checks 4 households at a time), an import of a file with many more
households must give exactly what it gives with the defaults — the same problems at the same rows,
the same error workbook, the same counts and the same data — and hold no more than the bound.
"""

import tempfile
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from fupin.conftest import make_household, make_id_number
from fupin.registry.importing import checks, scratch
from fupin.registry.importing.engine import import_households
from fupin.registry.importing.national import Place
from fupin.registry.importing.scratch import Scratch
from fupin.registry.models import Household, HouseholdYear, Member

from .importing_helpers import HOUSEHOLDS, MEMBERS, national_row, national_workbook, template_workbook

YEAR = 2020
N = 30  # households in a file: six times the small cache


def small(monkeypatch):
    """Tiny bounds for the in-memory parts; `small.most` = most households ever cached at once."""
    monkeypatch.setattr(scratch, "CACHE_HOUSEHOLDS", 5)
    monkeypatch.setattr(scratch, "PENDING", 3)
    monkeypatch.setattr(scratch, "IN_CHUNK", 2)
    monkeypatch.setattr(checks, "BATCH", 4)
    state = type("State", (), {"most": 0, "reloads": 0})()
    keep, load = Scratch._keep, Scratch._load

    def watched_keep(self, info):
        keep(self, info)
        state.most = max(state.most, self.cached())

    def watched_load(self, row):
        state.reloads += 1
        return load(self, row)

    monkeypatch.setattr(Scratch, "_keep", watched_keep)
    monkeypatch.setattr(Scratch, "_load", watched_load)
    return state


def _id(i: int) -> str:
    return make_id_number(date(1950, 1, 1) + timedelta(days=13 * i), i % 100, "M" if i % 2 else "F")


def _no(i: int) -> str:
    return f"610926100001{i:03d}"


def _national(*, bad: bool) -> list[dict]:
    """N households of two (head, spouse), alternating between 龙头村 and 兴隆村. Household 3's spouse
    is the last row of the file, far from its head. With `bad`: that row's 户联系电话 differs, household
    25's spouse repeats household 2's ID number, household 12's spouse is registered in a household of
    the database (see _existing), household 20 has no head."""
    rows, last = [], None
    for i in range(N):
        place = {"乡(镇)": "城关镇", "行政村": "龙头村"} if i % 2 == 0 else {"乡(镇)": "兴隆镇", "行政村": "兴隆村"}
        head = national_row(**place, 户编号=_no(i), 证件号码=_id(2 * i), 姓名=f"户主{i}", 与户主关系="户主")
        spouse = national_row(**place, 户编号=_no(i), 证件号码=_id(2 * i + 1), 姓名=f"配偶{i}", 与户主关系="配偶")
        rows.append(head)
        if i == 3:
            last = spouse
        else:
            rows.append(spouse)
    rows.append(last)
    if bad:
        rows[-1]["户联系电话"] = "13999999999"
        rows[2 * 25]["证件号码"] = _id(2 * 2 + 1)  # household 25's spouse (row index shifted by household 3)
        rows[2 * 12]["证件号码"] = DB_MEMBER_ID
        rows[2 * 20 - 1]["与户主关系"] = "之子"
    return rows


DB_MEMBER_ID = make_id_number(date(1945, 5, 5), 77, "M")


def _existing():
    """Household 7 of the file is in the database already (with two members of its own); another
    household of the database holds the ID number that the bad file gives household 12's spouse."""
    make_household(_no(7), "610926100001", head="户主7", members=2)
    other = make_household("610926101001900", "610926101001", head="他户")
    Member.objects.filter(household=other, relation="head").update(id_number=DB_MEMBER_ID)


def _template(*, bad: bool):
    """N households; the members sheet lists every head, then every spouse (a household's rows are N
    apart). With `bad`: household 28 repeats household 1's 户编号, household 4 gets a second head at
    the end, household 9's spouse repeats household 2's spouse's ID number."""
    households = [dict(HOUSEHOLDS[0], 户编号=_no(i), 户主姓名=f"户主{i}",
                       行政村代码="610926100001" if i % 2 == 0 else "610926101001") for i in range(N)]
    heads = [{"户编号": _no(i), "姓名": f"户主{i}", "证件号码": _id(2 * i), "与户主关系": "户主",
              "健康状况": "健康"} for i in range(N)]
    spouses = [{"户编号": _no(i), "姓名": f"配偶{i}", "证件号码": _id(2 * i + 1), "与户主关系": "配偶",
                "健康状况": "健康"} for i in range(N)]
    members = heads + spouses
    if bad:
        households[28]["户编号"] = _no(1)
        members.append({"户编号": _no(4), "姓名": "又一户主", "证件号码": _id(500), "与户主关系": "户主"})
        spouses[9]["证件号码"] = spouses[2]["证件号码"]
    return households, members


def _outcome(path, user, **kw) -> tuple:
    """Everything an import tells: result, problems, counts and the error workbook's cells."""
    errors = path.with_name(path.stem + "-errors.xlsx")
    r = import_households(path, actor=user, year=YEAR, error_path=errors, **kw)
    cells = []
    if r.error_file:
        wb = load_workbook(errors)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                cells.append([(c.value, c.fill.fgColor.rgb, c.comment.text if c.comment else None) for c in row])
    return r.ok, r.message, r.error_count, r.counts, [p.as_dict() for p in r.problems], cells


def _texts(outcome) -> str:
    return "\n".join(p["text"] for p in outcome[4])


# --- the same outcome with a tiny cache --------------------------------------------------------

def test_national_bad_file_same_problems_with_a_tiny_cache(users, tmp_path, monkeypatch):
    _existing()
    path = national_workbook(tmp_path / "n.xlsx", _national(bad=True))
    default = _outcome(path, users["county"], registered_year=2016)
    state = small(monkeypatch)
    tiny = _outcome(path, users["county"], registered_year=2016)
    assert tiny == default
    assert state.most == 5 and state.reloads > 0
    text = _texts(default)
    # rows: title, title, header, then two rows per household (household 3's spouse is the last row)
    assert f"第 {4 + 2 * N - 1} 行【户联系电话】：同一户的户联系电话与第 10 行不一致（户编号“{_no(3)}”）" in text
    assert f"证件号码“{_id(5)}”同时出现在户编号“{_no(2)}”（第 9 行）和“{_no(25)}”中" in text
    assert f"第 {4 + 24} 行【证件号码】：证件号码“{DB_MEMBER_ID}”已登记在户编号“610926101001900”中" in text
    assert f"新户“{_no(20)}”没有与户主关系为“户主”的成员" in text
    assert not default[0] and Household.objects.count() == 2


def test_template_bad_file_same_problems_with_a_tiny_cache(users, tmp_path, monkeypatch):
    households, members = _template(bad=True)
    path = template_workbook(tmp_path / "t.xlsx", households, members)
    default = _outcome(path, users["county"])
    state = small(monkeypatch)
    tiny = _outcome(path, users["county"])
    assert tiny == default
    assert state.most == 5 and state.reloads > 0
    text = _texts(default)
    assert f"第 30 行【户编号】：户编号“{_no(1)}”重复（第 3 行已有此户）" in text
    assert f"第 {2 + 2 * N} 行【与户主关系】：一户只能有一名户主（第 6 行已是户主）" in text
    assert f"证件号码“{_id(5)}”在同一户中重复" not in text
    assert f"证件号码“{_id(5)}”同时出现在户编号“{_no(2)}”（第 {2 + N + 2} 行）和“{_no(9)}”中" in text


def test_national_good_file_with_a_tiny_cache_writes_the_same_data(users, tmp_path, monkeypatch):
    _existing()
    path = national_workbook(tmp_path / "n.xlsx", _national(bad=False))
    dry = _outcome(path, users["county"], registered_year=2016, dry_run=True)
    state = small(monkeypatch)
    assert _outcome(path, users["county"], registered_year=2016, dry_run=True) == dry
    result = _outcome(path, users["county"], registered_year=2016)
    assert result[0], _texts(result)
    assert state.most == 5
    c = result[3]
    assert (c["households"], c["households_new"], c["members"], c["members_new"]) == (N, N - 1, 2 * N, 2 * N)
    assert (c["households_created"], c["members_created"], c["member_years_created"]) == (N - 1, 2 * N, 2 * N)
    sizes = dict(HouseholdYear.objects.filter(year=YEAR).values_list("household__household_no", "household_size"))
    # household 7: its two members in the file and the two the database had; household 3 kept its far row
    assert sizes[_no(7)] == 4 and sizes[_no(3)] == 2
    assert all(sizes[_no(i)] == 2 for i in range(N) if i != 7)
    villages = dict(Household.objects.values_list("household_no", "village_id"))
    assert villages[_no(3)] == "610926101001" and villages[_no(4)] == "610926100001"
    assert Member.objects.filter(household__household_no=_no(3)).count() == 2


def test_template_good_file_with_a_tiny_cache(users, tmp_path, monkeypatch):
    households, members = _template(bad=False)
    path = template_workbook(tmp_path / "t.xlsx", households, members)
    state = small(monkeypatch)
    result = _outcome(path, users["county"])
    assert result[0], _texts(result)
    assert state.most == 5 and state.reloads > 0
    assert (result[3]["households_created"], result[3]["members_created"]) == (N, 2 * N)
    assert set(HouseholdYear.objects.values_list("household_size", flat=True)) == {2}
    again = _outcome(path, users["county"])  # re-import: nothing changes
    assert again[0] and again[3]["households_unchanged"] == N and again[3]["members_unchanged"] == 2 * N


# --- the scratch file is removed ----------------------------------------------------------------

@pytest.fixture
def scratch_files(monkeypatch, tmp_path):
    """Temporary files go to a directory of the test's own; the scratch files made are recorded."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    made = []
    init = Scratch.__init__

    def recording(self):
        init(self)
        made.append(self.path)

    monkeypatch.setattr(Scratch, "__init__", recording)
    return tmp, made


def _removed(tmp, made) -> bool:
    return len(made) == 1 and made[0].is_relative_to(tmp) and not made[0].exists() and not any(tmp.iterdir())


def test_scratch_file_removed_after_success(users, tmp_path, scratch_files):
    households, members = _template(bad=False)
    assert _outcome(template_workbook(tmp_path / "t.xlsx", households, members), users["county"])[0]
    assert _removed(*scratch_files)


def test_scratch_file_removed_after_problems(users, tmp_path, scratch_files):
    households, members = _template(bad=True)
    assert not _outcome(template_workbook(tmp_path / "t.xlsx", households, members), users["county"])[0]
    assert _removed(*scratch_files)


def test_scratch_file_removed_after_an_empty_file(users, tmp_path, scratch_files):
    path = template_workbook(tmp_path / "t.xlsx", [dict.fromkeys(HOUSEHOLDS[0])], [dict.fromkeys(MEMBERS[0])])
    result = _outcome(path, users["county"])
    assert not result[0] and "没有数据" in result[1]
    assert _removed(*scratch_files)


def test_scratch_file_removed_when_writing_fails(users, tmp_path, scratch_files, monkeypatch):
    from fupin.registry.importing.writer.database import Writer

    def broken(self, records):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(Writer, "batch", broken)
    households, members = _template(bad=False)
    with pytest.raises(RuntimeError):
        _outcome(template_workbook(tmp_path / "t.xlsx", households, members), users["county"])
    assert _removed(*scratch_files)
    assert Household.objects.count() == 0


# --- the scratch store itself -------------------------------------------------------------------

def test_households_round_trip_through_the_file(monkeypatch):
    from array import array

    monkeypatch.setattr(scratch, "CACHE_HOUSEHOLDS", 2)
    with Scratch() as s:
        a = s.add_household("A", "监测对象信息", 4)
        a.place = Place("", "", "平利县", "城关镇", "龙头村")
        a.declared_head = True  # a yes/no cell in the 户主姓名 column comes back as it was
        a.head_name, a.head_row = "周一", 5
        a.fingerprint = (("0.phone", "0.address"), array("q", [1, -2]))
        for no in ("B", "C", "D"):  # pushes A out of the cache, to the file
            s.add_household(no, "监测对象信息", 9)
        assert s.cached() <= 2
        back = s.household("A")
        assert back is not a
        assert (back.place, back.declared_head, back.head_name, back.head_row, back.row, back.bad) == \
            (a.place, True, "周一", 5, 4, False)
        assert back.fingerprint == a.fingerprint
        assert s.household("E") is None
        s.add_member("A", "X1", 4, in_year=True)
        assert s.member("X1") == ("A", 4) and s.member("X2") is None
        s.flush()
        assert s.member("X1") == ("A", 4) and s.cached() == 0
        s.count_year_members()
        sizes = {i.no: i.size for batch in s.iter_households(3) for i in batch}
        assert sizes == {"A": 1, "B": 0, "C": 0, "D": 0}
        path = s.path
        assert path.exists()
    assert not path.exists() and not path.parent.exists()
