"""How suspects are read and written (`crosscheck.storing`): the inputs JSON is built as text, the
first roster row is joined in the matching query, reruns add only what is missing."""

from datetime import date

from django.db import connection

from fupin.core.fields import to_json
from fupin.crosscheck.choices import DatasetKind
from fupin.crosscheck.models import Roster, RosterRow, Suspect
from fupin.crosscheck.rules import MEMBER_VALUES, Context, run_rules
from fupin.crosscheck.storing import Row, fetch
from fupin.policy.models import PolicyValue
from fupin.policy.selectors import resolve

from .helpers import AS_OF, COUNTY, TOWN_A, TOWN_B, YEAR, add_member, found, head, load, outsider
from .test_rules import _pay


def _raw_inputs(suspect: Suspect) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT inputs FROM crosscheck_suspect WHERE id = %s", [suspect.pk])
        return cur.fetchone()[0]


def test_inputs_are_the_encoded_dict(users, households, tmp_path):
    b1 = households["b1"]
    m = head(b1)
    roster = load(users, tmp_path, DatasetKind.VEHICLE, ["证件号码", "姓名", "车辆类型", "号牌号码", "备注"], [
        [outsider(1), "路人", "小型轿车", "陕G99999", ""],
        [m.id_number, "李三", "小型轿车", "陕G\"1\\2", "换行\n制表\t"],  # characters JSON escapes
        [m.id_number, "李三", "", "陕G00002", ""],                         # a later row of the same person
    ])
    s = Suspect.objects.get(roster=roster)
    row = RosterRow.objects.get(roster=roster, row_no=3)
    assert s.roster_row_id == row.pk and s.village_code == b1.village_id and s.year == YEAR
    policy = resolve("crosscheck.checked_statuses", year=YEAR, region_code=COUNTY).explain()
    exempt = resolve("crosscheck.vehicle_exempt_types", year=YEAR, region_code=COUNTY).explain()
    expected = {
        "rule": "four_have_vehicle", "year": YEAR, "as_of": AS_OF.isoformat(),
        "roster_row": {"row_no": 3, "id_number": m.id_number, "name": "李三", "data": row.data, "event_date": None,
                       "category": "小型轿车"},
        "registry": {"member_id": m.pk, "name": m.name, "id_number": m.id_number,
                     "birth_date": m.birth_date.isoformat(), "left_on": None, "household_id": b1.pk,
                     "household_no": b1.household_no, "household_status": b1.status},
        "policy": [policy, exempt]}
    assert s.inputs == expected
    assert row.data["号牌号码"] == "陕G\"1\\2"
    assert _raw_inputs(s) == to_json(expected)  # stored as text: the very text encoding the dict gives
    assert s.reason.startswith(f"{b1.head_name}户成员{m.name}（") and "数据第 3 行" in s.reason


def test_fetch_joins_the_first_row_and_converts(users, households):
    a1, a2 = households["a1"], households["a2"]
    roster = Roster.objects.create(kind=DatasetKind.DEATH, name="x", region_code=COUNTY, as_of=AS_OF)
    # Written by the ORM: on SQLite the JSON text has ASCII escapes; the inputs get the loader's text.
    rows = RosterRow.objects.bulk_create([
        RosterRow(roster=roster, row_no=2, id_number=head(a1).id_number, name="王一", data={"死亡日期": "2020-05-01"},
                  event_date=date(2020, 5, 1)),
        RosterRow(roster=roster, row_no=3, id_number=head(a1).id_number, name="王一", data={"n": 1}),
        RosterRow(roster=roster, row_no=4, id_number=outsider(2), name="路人"),
    ])
    ctx = Context(roster)
    q, policy = ctx.groups(())[0]
    matched = fetch(ctx.members(q, policy).values(*MEMBER_VALUES), first_row=ctx.roster_rows())
    assert [(m["pk"], r.pk) for m, r in matched] == [(head(a1).pk, rows[0].pk)]
    m, r = matched[0]
    assert m["row_id"] == rows[0].pk and isinstance(m["birth_date"], date) and m["household__village_id"]
    assert r.event_date == date(2020, 5, 1) and r.data == {"死亡日期": "2020-05-01"} and r.row_no == 2
    assert r.as_json() == to_json({"row_no": 2, "id_number": head(a1).id_number, "name": "王一",
                                   "data": {"死亡日期": "2020-05-01"}, "event_date": "2020-05-01", "category": ""})
    # Without a row column: every member of the query, no row.
    everyone = fetch(ctx.members(q, policy).values(*MEMBER_VALUES))
    assert {m["pk"] for m, r in everyone} >= {head(a1).pk, head(a2).pk} and {r for _, r in everyone} == {None}
    assert Row(1, 2, "x", "", None, None, "").data_text == "{}"


def test_rerun_adds_only_the_missing_suspects(users, households, tmp_path):
    a1, b1 = households["a1"], households["b1"]
    roster = load(users, tmp_path, DatasetKind.PAYROLL, ["证件号码", "工作单位"],
                  [[head(a1).id_number, "县教育局"], [head(b1).id_number, "县卫健局"]])
    assert roster.match_summary["new"] == 2
    Suspect.objects.filter(roster=roster, member=head(b1)).delete()
    summary = run_rules(roster)
    assert summary["new"] == 1 and summary["rules"]["four_have_payroll"] == {
        "title": "四有户：财政供养人员", "found": 2, "total": 2}
    assert found(roster) == {("four_have_payroll", head(a1).pk), ("four_have_payroll", head(b1).pk)}


def test_death_paid_in_two_policy_groups(users, households, tmp_path):
    """A township with its own checked statuses splits the members in two queries; each group's
    payments go into its own suspects (reasons and inputs are built after both queries ran)."""
    a1, b1 = households["a1"], households["b1"]
    PolicyValue.objects.create(key="crosscheck.checked_statuses", region_code=TOWN_B, year_from=2014,
                               value=resolve("crosscheck.checked_statuses", year=YEAR, region_code=TOWN_A).value,
                               source="镇定")
    dead_a = add_member(a1, date(1950, 1, 1), name="老甲", left_on=date(2020, 3, 1), left_reason="deceased")
    dead_b = add_member(b1, date(1951, 1, 1), name="老乙", left_on=date(2020, 4, 1), left_reason="deceased")
    _pay(users, dead_a.id_number, date(2020, 3, 5))
    _pay(users, dead_b.id_number, date(2020, 4, 9))
    _pay(users, dead_b.id_number, date(2020, 5, 9))
    roster = load(users, tmp_path, DatasetKind.DEATH, ["证件号码", "死亡日期"],
                  [[dead_a.id_number, "2020-03-01"], [dead_b.id_number, "2020-04-01"]])
    assert len(Context(roster).groups(())) == 2
    sa = Suspect.objects.get(roster=roster, rule="death_paid", member=dead_a)
    sb = Suspect.objects.get(roster=roster, rule="death_paid", member=dead_b)
    assert "1 笔共 500.00 元（最早 2020-03-05）" in sa.reason
    assert "2 笔共 1000.00 元（最早 2020-04-09）" in sb.reason
    assert [p["paid_on"] for p in sb.inputs["registry"]["payments_after_death"]] == ["2020-04-09", "2020-05-09"]
    assert sb.inputs["roster_row"]["row_no"] == 3 and sb.inputs["policy"][0]["region_code"] == TOWN_B


def test_a_roster_alone_is_found_through_an_index(users, households):
    """Rerun checks and per-roster counts filter by roster only; the unique constraints are partial
    (member set or not), which such a query cannot use, so the roster needs its own index."""
    roster = Roster.objects.create(kind=DatasetKind.PAYROLL, name="x", region_code=COUNTY, as_of=AS_OF)
    sql, params = Suspect.objects.filter(roster=roster).order_by().values("rule").query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(r[0] for r in cur.fetchall())
            assert "Seq Scan" not in plan, plan
        else:
            cur.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(r[-1]) for r in cur.fetchall())
            assert "USING INDEX" in plan, plan
