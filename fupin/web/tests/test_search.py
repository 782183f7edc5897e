
"""Search (/search/): exact ID numbers in every accepted form, names, causes; scoped, masked,
paginated, a fixed number of queries, and index-friendly SQL."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.cn import ric

from fupin.conftest import make_household
from fupin.registry.models import Member
from fupin.registry.selectors import household_search

pytestmark = pytest.mark.django_db

URL = reverse("web:search")
SEARCH_QUERY_LIMIT = 9  # session, user, user region, villages, count, page, session save (3)


def _x_id_number() -> str:
    """A valid resident ID whose check digit is X."""
    for seq in range(1000):
        body = f"610926198503{seq // 100 % 28 + 1:02d}{seq % 1000:03d}"
        if ric.calc_check_digit(body) == "X":
            return body + "X"
    raise AssertionError("no X number found")


def _households(resp):
    return [row["h"].household_no for row in resp.context["rows"]]


def _results(resp) -> str:
    """The results table (the form above it echoes what the user typed)."""
    html = resp.content.decode()
    return html[html.index("<table"):]


def _search(client, **params):
    resp = client.get(URL, params)
    assert resp.status_code == 200
    return resp


def test_search_by_exact_id_number_in_all_forms(login, users, households):
    c = login(users["county"])
    member = households["a2"].members.order_by("id").first()  # born 1980: has a 15-digit form
    number = member.id_number
    assert len(number) == 18 and number[6:8] == "19"
    short = number[:6] + number[8:17]
    for typed in (number, short, f" {number[:9]} {number[9:]} "):
        resp = _search(c, id_number=typed)
        assert _households(resp) == ["610926100002001"], typed
        row = resp.context["rows"][0]
        assert row["matched"] == "" and row["matched_id"]  # the head himself: no extra member name
    # Lower-case x finds the stored upper-case X.
    xid = _x_id_number()
    Member.objects.filter(pk=households["b1"].members.order_by("id")[1].pk).update(id_number=xid)
    resp = _search(c, id_number=xid.lower())
    assert _households(resp) == ["610926101001001"]
    assert resp.context["rows"][0]["matched"] == "李三家属1"
    # A partial number finds nothing (exact match only) and says why.
    resp = _search(c, id_number=number[:10])
    assert _households(resp) == [] and "应为 18 位" in resp.content.decode()


def test_search_by_name_head_or_member(login, users, households):
    c = login(users["county"])
    resp = _search(c, name="王")
    assert _households(resp) == ["610926100001001", "610926100002001"]
    resp = _search(c, name="家属2")
    assert _households(resp) == ["610926101001001"]  # only 李三 has a second dependant
    row = resp.context["rows"][0]
    assert row["matched"] == "李三家属2" and "李三家属2" in resp.content.decode()
    assert row["h"].member_count == 3


def test_search_by_cause_status_attribute_and_region(login, users, regions):
    make_household("610926100001011", "610926100001", head="甲", main_cause="disability")
    make_household("610926100001012", "610926100001", head="乙", main_cause="lack_skills", attribute="low_income")
    make_household("610926101001013", "610926101001", head="丙", main_cause="disability", status="exited")
    c = login(users["county"])
    assert _households(_search(c, main_cause="disability")) == ["610926100001011", "610926101001013"]
    assert _households(_search(c, main_cause="disability", status="exited")) == ["610926101001013"]
    assert _households(_search(c, attribute="low_income")) == ["610926100001012"]
    assert _households(_search(c, main_cause="disability", region="610926101")) == ["610926101001013"]
    # The county has few villages: a select of them, with the township.
    resp = _search(c, region="610926100001", main_cause="disability")
    assert _households(resp) == ["610926100001011"]
    html = resp.content.decode()
    assert '<option value="610926100001" selected>城关镇 龙头村</option>' in html
    assert '<option value="610926100000">城关镇（全部村）</option>' in html
    # A bad region code is a Chinese error, not a crash.
    c2 = login(users["province"])
    resp = _search(c2, region="12ab")
    assert "区划代码“12ab”无效" in resp.content.decode()


def test_search_is_scoped(login, users, households):
    c = login(users["township_b"])
    a_member = households["a1"].members.first()
    assert _households(_search(c, name="王")) == []
    assert _households(_search(c, id_number=a_member.id_number)) == []
    assert _households(_search(c, main_cause="illness")) == ["610926101001001"]
    # Asking for township A's code from township B finds nothing either.
    assert _households(_search(c, region="610926100")) == []
    # A cadre finds only their paired household.
    assert _households(_search(login(users["cadre"]), name="王")) == ["610926100001001"]


def test_search_results_are_masked_by_role(login, users, households):
    number = households["a1"].members.first().id_number
    resp = _search(login(users["county"]), id_number=number)  # county: personal data only on detail pages
    html = _results(resp)
    assert "138****8000" in html and "13800138000" not in html and number not in html
    assert number[:6] + "********" + number[-4:] in html
    from django.test import Client

    html = _results(_search(login(users["auditor"], Client()), id_number=number))
    assert "13800138000" in html and number in html


def test_search_paginates_by_50(login, users, regions):
    for i in range(55):
        make_household(f"610926100001{i:03d}", "610926100001", members=1, head=f"周{i}")
    c = login(users["clerk_a"])
    first = _search(c, name="周")
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.count == 55
    assert "page=2" in first.content.decode() and "name=" in first.content.decode()
    assert len(_search(c, name="周", page=2).context["rows"]) == 5


def test_search_query_count_is_pinned(login, users, regions, django_assert_max_num_queries):
    c = login(users["county"])
    for i in range(5):
        make_household(f"610926100001{i:03d}", "610926100001", members=3, head=f"吴{i}")
    with django_assert_max_num_queries(SEARCH_QUERY_LIMIT):
        _search(c, name="吴", main_cause="illness")
    with CaptureQueriesContext(connection) as small:
        _search(c, name="吴")
    for i in range(5, 40):
        make_household(f"610926100001{i:03d}", "610926100001", members=3, head=f"吴{i}")
    with CaptureQueriesContext(connection) as large:
        _search(c, name="吴")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_id_number_search_uses_equality_not_like(users, households):
    number = households["a1"].members.first().id_number
    qs = household_search(users["county"], id_numbers=[number])
    with CaptureQueriesContext(connection) as ctx:
        assert list(qs)
    sql = ctx.captured_queries[-1]["sql"]
    assert '"id_number" LIKE' not in sql and '"id_number" IN' in sql
    if connection.vendor == "sqlite":
        plan = qs.explain()
        assert "USING INDEX member_id_number" in plan


def test_name_and_filters_use_no_like_on_indexed_codes(users, households):
    qs = household_search(users["county"], name="王", main_cause="illness", status="not_exited",
                          attribute="general")
    with CaptureQueriesContext(connection) as ctx:
        list(qs)
    sql = ctx.captured_queries[-1]["sql"]
    assert '"main_cause" = ' in sql and '"status" = ' in sql and '"attribute" = ' in sql
    # name contains: the one LIKE, by design (PostgreSQL writes "head_name"::text LIKE)
    assert re.search(r'"head_name"(::text)? LIKE', sql)


def test_empty_search_shows_form_only(login, users, households):
    c = login(users["county"])
    resp = c.get(URL)
    assert resp.status_code == 200 and resp.context["rows"] == [] and not resp.context["searched"]
    html = resp.content.decode()
    assert "证件号码" in html and "主要致贫原因" in html and "贫困户属性" in html
    assert f'href="{URL}"' in html  # the nav entry
    assert "请至少填写一个查询条件" in c.get(URL, {"name": ""}).content.decode()


def test_search_requires_login(client):
    resp = client.get(URL)
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_search_born_2000s_ids_have_no_15_digit_form(login, users, households):
    """A 15-digit number always means 19xx: a son born 2006 is found only by his 18 digits."""
    son = households["a1"].members.order_by("id")[1]
    assert son.birth_date >= date(2000, 1, 1)
    c = login(users["county"])
    assert _households(_search(c, id_number=son.id_number)) == ["610926100001001"]
    assert _households(_search(c, id_number=son.id_number[:6] + son.id_number[8:17])) == []
