"""Web pages of the identification and exit procedures (logged in)."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from fupin.conftest import make_household
from fupin.identification.models import Case, CaseStep, Notice, Objection, VillageQuota

from .helpers import (
    PDF,
    VILLAGE,
    YEAR,
    act,
    application,
    d,
    open_identification,
    publish,
    walk_identification_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _application_post(**changes):
    data = application(members=3)
    post = {"year": str(YEAR), "on": "2020-03-01", "head_name": data["head_name"], "id_number": data["id_number"],
            "group_name": "二组", "main_cause": "illness", "other_causes": ["lack_funds"], "attribute": "general",
            "wage_income": "6000", "business_income": "1200", "business_cost": "300",
            "m-TOTAL_FORMS": "8", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "20"}
    for i, m in enumerate(data["members"]):
        relation = {"配偶": "spouse", "之子": "son"}[m["relation"]]
        post.update({f"m-{i}-name": m["name"], f"m-{i}-id_number": m["id_number"], f"m-{i}-relation": relation})
    post.update(changes)
    return post


def test_clerk_records_an_application_on_the_web(login, users):
    c = login(users["clerk_a"])
    page = c.get(reverse("web:case_new", args=[VILLAGE]))
    assert page.status_code == 200 and "农户申请" in page.content.decode()
    resp = c.post(reverse("web:case_new", args=[VILLAGE]), _application_post())
    assert resp.status_code == 302
    case = Case.objects.get()
    assert resp["Location"] == reverse("web:case", args=[case.pk])
    assert (case.household_size, case.per_capita_income, case.group_name) == (3, Decimal("2300.00"), "二组")
    html = c.get(resp["Location"]).content.decode()
    assert "农户申请" in html and "提交" in html and case.id_number in html  # clerks see the full number here
    # Errors come back per field, nothing stored.
    resp = c.post(reverse("web:case_new", args=[VILLAGE]), _application_post(id_number="123", wage_income="-1"))
    assert resp.status_code == 200 and Case.objects.count() == 1
    assert resp.context["form"].errors["id_number"] and resp.context["form"].errors["wage_income"]


def test_case_page_shows_the_form_only_to_the_role_that_acts(login, users):
    case = walk_identification_to(users, open_identification(users), "township_review")
    url = reverse("web:case", args=[case.pk])
    clerk = login(users["clerk_a"]).get(url).content.decode()
    assert "此步骤由乡镇审核员办理" in clerk and 'name="decision"' not in clerk
    assert "第一次公示" in clerk and "赞成 8" in clerk  # the timeline with votes and the notice
    township = login(users["township_a"]).get(url).content.decode()
    assert 'name="decision"' in township and 'value="township_review"' in township
    # A clerk posting anyway: 403, nothing changes. Out of scope: 404.
    resp = login(users["clerk_a"]).post(reverse("web:case_act", args=[case.pk]),
                                        {"step": "township_review", "decision": "approved", "on": "2020-03-15"})
    assert resp.status_code == 403
    assert login(users["township_b"]).get(url).status_code == 404
    assert login(users["clerk_b"]).post(reverse("web:case_act", args=[case.pk]), {"step": "township_review"}
                                        ).status_code == 404
    assert CaseStep.objects.filter(case=case).count() == 4
    # The township reviewer acts; a refusal without reason is shown on the form.
    c = login(users["township_a"])
    resp = c.post(reverse("web:case_act", args=[case.pk]), {"step": "township_review", "decision": "rejected",
                                                             "on": "2020-03-15"})
    assert resp.status_code == 200 and "须填写理由" in resp.content.decode()
    resp = c.post(reverse("web:case_act", args=[case.pk]), {"step": "township_review", "decision": "approved",
                                                             "on": "2020-03-15", "comment": "同意"})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.current_step == "notice2"


def test_vote_and_attachment_through_the_web(login, users):
    case = open_identification(users)
    c = login(users["clerk_a"])
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    resp = c.post(reverse("web:case_act", args=[case.pk]), {"step": "apply", "decision": "approved",
                                                             "on": "2020-03-02", "attachments": [upload]})
    assert resp.status_code == 302
    resp = c.post(reverse("web:case_act", args=[case.pk]), {"step": "appraisal", "votes_for": "7",
                                                             "votes_against": "2", "on": "2020-03-05"})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.current_step == "verify"
    attachment = case.attachments.get()
    resp = c.get(reverse("web:case_attachment", args=[attachment.pk]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    assert "attachment" in resp["Content-Disposition"]
    assert login(users["clerk_b"]).get(reverse("web:case_attachment", args=[attachment.pk])).status_code == 404


def test_publishing_a_notice_and_handling_objections_on_the_web(login, users):
    case = walk_identification_to(users, open_identification(users), "notice1")
    other = walk_identification_to(users, open_identification(users, head="钱二"), "notice1")
    c = login(users["clerk_a"])
    page = c.get(reverse("web:notices", args=[VILLAGE])).content.decode()
    assert "待发布" in page and "第一次公示" in page
    url = reverse("web:notice_new", args=[VILLAGE]) + f"?procedure=identification&year={YEAR}&step=notice1"
    page = c.get(url).content.decode()
    assert case.head_name in page and other.head_name in page
    resp = c.post(url, {"case_ids": [str(case.pk), str(other.pk)], "on": "2020-03-07", "objection_contact": ""})
    assert resp.status_code == 200 and "异议受理方式" in resp.content.decode() and not Notice.objects.exists()
    resp = c.post(url, {"case_ids": [str(case.pk), str(other.pk)], "on": "2020-03-07",
                        "objection_contact": "村委会 王主任 0915-8421234"})
    notice = Notice.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("web:notice", args=[notice.pk])
    resp = c.post(reverse("web:objection_new", args=[notice.pk]),
                  {"case": str(other.pk), "content": "该户家有轿车", "on": "2020-03-08", "filer_name": ""})
    assert resp.status_code == 302
    objection = Objection.objects.get()
    assert objection.filer_name == "匿名"
    resp = c.post(reverse("web:objection_resolve", args=[objection.pk]),
                  {f"r{objection.pk}-outcome": "upheld", f"r{objection.pk}-resolution": "属实，该户有轿车一辆",
                   f"r{objection.pk}-on": "2020-03-09"})
    assert resp.status_code == 302
    other.refresh_from_db()
    assert other.state == "rejected" and "该户家有轿车" in other.end_reason
    # Completing the notice early is refused with a message; after the period it completes.
    resp = c.post(reverse("web:notice_complete", args=[notice.pk]), {"on": "2020-03-13"}, follow=True)
    assert "尚不能办结" in resp.content.decode()
    resp = c.post(reverse("web:notice_complete", args=[notice.pk]), {"on": "2020-03-14"}, follow=True)
    assert "已办结 1 户" in resp.content.decode()
    case.refresh_from_db()
    assert case.current_step == "township_review"


def test_case_list_filters_and_masks(login, users):
    case = open_identification(users)
    walk = walk_identification_to(users, open_identification(users, head="孙三"), "notice1")
    c = login(users["county"])
    html = c.get(reverse("web:cases", args=["610926000000"])).content.decode()
    assert case.head_name in html and walk.head_name in html and "各步骤案件数" in html
    assert case.id_number not in html and case.id_number[:6] in html  # masked in lists
    html = c.get(reverse("web:cases", args=["610926000000"]), {"step": "notice1"}).content.decode()
    assert walk.head_name in html and case.head_name not in html
    assert login(users["clerk_b"]).get(reverse("web:cases", args=[VILLAGE])).status_code == 404


def test_exit_case_from_the_household_page_url(login, users):
    household = make_household("610926100001060", VILLAGE, head="周六", income=Decimal("5000"))
    url = reverse("web:exit_case_new", args=[household.pk])
    c = login(users["clerk_a"])
    assert c.get(url).status_code == 200
    resp = c.post(url, {"year": str(YEAR), "on": "2020-10-01", "note": "收入稳定"})
    assert resp.status_code == 302
    case = Case.objects.get(procedure="exit")
    assert case.household_id == household.pk and case.note == "收入稳定"
    resp = c.post(url, {"year": str(YEAR), "on": "2020-10-02"})
    assert resp.status_code == 200 and "已有退出案件" in resp.content.decode()
    assert login(users["clerk_b"]).get(url).status_code == 404
    resp = login(users["county"]).post(url, {"year": str(YEAR + 0), "on": "2020-10-02"})
    assert resp.status_code == 403


def test_ranking_and_quota_pages(login, users):
    open_identification(users, head="甲", wage="3000", members=1)
    open_identification(users, head="乙", wage="4000", members=1)
    c = login(users["county"])
    url = reverse("web:quotas", args=["610926100000"]) + f"?year={YEAR}"
    page = c.get(url).content.decode()
    assert "龙头村" in page and 'name="q_610926100001"' in page
    resp = c.post(url, {"q_610926100001": "1", "q_610926100002": ""})
    assert resp.status_code == 302
    assert VillageQuota.objects.get(village_id=VILLAGE, year=YEAR).quota == 1
    assert login(users["township_a"]).post(url, {"q_610926100001": "3"}).status_code == 403
    html = login(users["clerk_a"]).get(reverse("web:ranking", args=[VILLAGE]), {"year": YEAR}).content.decode()
    assert "按收入倒排" in html and "4000" in html and "恰好等于标准的不算" in html
    assert login(users["clerk_b"]).get(reverse("web:ranking", args=[VILLAGE])).status_code == 404


def test_cases_command(users, capsys):
    case = walk_identification_to(users, open_identification(users), "notice1")
    rejected = open_identification(users, head="吴七")
    act(users, "clerk_a", rejected, "apply", decision="rejected", on=d(3, 2), comment="材料不全")
    publish(users, "clerk_a", [case], "notice1", on=d(3, 7))
    call_command("cases", "--region", "610926", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["total"] == 2
    steps = {(g["state"], g["step"]): g["cases"] for g in data["by_step"]}
    assert steps == {("open", "notice1"): 1, ("rejected", ""): 1}
    assert all(case.id_number not in json.dumps(data) for case in (case, rejected))
    call_command("cases", "--region", "610926100001")
    assert "第一次公示" in capsys.readouterr().out


def test_pages_take_a_fixed_number_of_queries(login, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(users["clerk_a"])
    counts = []
    for n in (2, 6):
        while Case.objects.count() < n:
            case = walk_identification_to(users, open_identification(users), "notice1")
        urls = [reverse("web:cases", args=[VILLAGE]), reverse("web:case", args=[case.pk]),
                reverse("web:notices", args=[VILLAGE]), reverse("web:ranking", args=[VILLAGE]) + f"?year={YEAR}"]
        row = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            row.append(len(ctx.captured_queries))
        counts.append(row)
    assert counts[0] == counts[1], counts


def test_the_database_refuses_a_second_open_case_per_round(users):
    from django.db import IntegrityError, transaction

    case = open_identification(users)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(procedure="identification", year=YEAR, village_id=VILLAGE, head_name="x",
                            id_number=case.id_number, steps=case.steps, opened_on=d(3, 1), last_acted_on=d(3, 1))


def test_completed_and_exit_case_pages(login, users):
    case = walk_identification_to(users, open_identification(users), "end")
    assert case.state == "completed"
    html = login(users["county"]).get(reverse("web:case", args=[case.pk])).content.decode()
    assert "已办结" in html and reverse("web:household", args=[case.household_id]) in html
    assert "建档立卡" in html and "不能再办理" in html
    household = make_household("610926100001070", VILLAGE, head="冯九", income=Decimal("5000"))
    from .helpers import open_exit

    exit_case = open_exit(users, household)
    html = login(users["city"]).get(reverse("web:case", args=[exit_case.pk])).content.decode()
    assert "贫困户退出" in html and "村两委民主评议提出" in html and "此步骤由村级信息员办理" in html
    assert exit_case.id_number not in html  # a viewer sees ID numbers masked
    html = login(users["clerk_a"]).get(reverse("web:case", args=[exit_case.pk])).content.decode()
    assert 'name="votes_for"' in html and 'name="decision"' not in html
