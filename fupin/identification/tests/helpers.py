"""Helpers for walking cases through their steps in tests (real services, real dates)."""

from datetime import date

from fupin.conftest import make_id_number
from fupin.identification.services import case_act, exit_case_open, identification_case_open
from fupin.identification.services_notices import notice_complete, notice_publish

VILLAGE = "610926100001"  # 龙头村, 城关镇 (clerk_a, township_a)
OTHER_VILLAGE = "610926101001"  # 兴隆村, 兴隆镇 (clerk_b, township_b)
YEAR = 2020
PDF = b"%PDF-1.4\n% test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
CONTACT = "龙头村村委会 王主任 0915-8421234，村委会办公室"


def d(month: int, day: int) -> date:
    return date(YEAR, month, day)


_seq = iter(range(500, 10**6))


def application(*, head="赵大", wage="6000", members=3, **extra) -> dict:
    """A household of `members` persons (head, spouse, children) with the given wage income."""
    seq = next(_seq)
    rows = [{"name": f"{head}妻", "id_number": make_id_number(date(1978, 2, 2), seq, "F"), "relation": "配偶"}]
    for i in range(members - 2):
        rows.append({"name": f"{head}子{i + 1}", "id_number": make_id_number(date(2008 + i, 6, 1), seq + 1 + i),
                     "relation": "之子", "school_status": "小学"})
    data = {"head_name": head, "id_number": make_id_number(date(1975, 5, 5), seq), "group_name": "一组",
            "address": "龙头村一组", "main_cause": "因病", "other_causes": ["缺资金"], "wage_income": wage,
            "members": rows[: members - 1]}
    data.update(extra)
    return data


def open_identification(users, *, village=VILLAGE, clerk="clerk_a", on=None, **kwargs):
    return identification_case_open(actor=users[clerk], village_code=village, year=YEAR,
                                    data=application(**kwargs), on=on or d(3, 1))


def act(users, who, case, code, decision="approved", on=None, **kwargs):
    return case_act(actor=users[who], case_id=case.pk, step_code=code, decision=decision, on=on, **kwargs)


def publish(users, who, cases, code, *, on, village=VILLAGE, procedure="identification", **kwargs):
    kwargs.setdefault("objection_contact", CONTACT)
    return notice_publish(actor=users[who], village_code=village, procedure=procedure, year=YEAR, step_code=code,
                          case_ids=[c.pk for c in cases], on=on, **kwargs)


def walk_identification_to(users, case, stop_before: str, *, clerk="clerk_a", township="township_a"):
    """Walk an identification case with the default steps up to (not including) `stop_before`."""
    plan = [
        ("apply", lambda: act(users, clerk, case, "apply", on=d(3, 2))),
        ("appraisal", lambda: act(users, clerk, case, "appraisal", on=d(3, 5), votes={"for": 8, "against": 1,
                                                                                        "abstain": 1})),
        ("verify", lambda: act(users, clerk, case, "verify", on=d(3, 6), comment="入户核实，情况属实")),
        ("notice1", lambda: (publish(users, clerk, [case], "notice1", on=d(3, 7)),
                             act(users, clerk, case, "notice1", on=d(3, 14)))),
        ("township_review", lambda: act(users, township, case, "township_review", on=d(3, 15))),
        ("notice2", lambda: (publish(users, clerk, [case], "notice2", on=d(3, 16)),
                             notice_complete(actor=users[clerk], notice_id=case.notice_entries.get(
                                 step_code="notice2").notice_id, on=d(3, 23)))),
        ("county_approval", lambda: act(users, "county", case, "county_approval", on=d(3, 24))),
        ("announce", lambda: publish(users, "county", [case], "announce", on=d(3, 25))),
        ("register", lambda: act(users, clerk, case, "register", on=d(3, 26))),
    ]
    for code, run in plan:
        if code == stop_before:
            break
        run()
    case.refresh_from_db()
    return case


def open_exit(users, household, *, on=None, clerk="clerk_a"):
    return exit_case_open(actor=users[clerk], household_id=household.pk, year=YEAR, on=on or d(10, 1))
