"""Import and export through the web pages and the API."""

import io
import threading

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from fupin.accounts.services import api_token_create
from fupin.policy.models import PolicyValue
from fupin.registry.importing.jobs import job_create, job_run, job_start
from fupin.registry.importing.template import HOUSEHOLD_SHEET, MEMBER_SHEET
from fupin.registry.models import Household, ImportJob, Member

from .importing_helpers import HOUSEHOLDS, MEMBERS, template_workbook

YEAR = 2020


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    settings.FUPIN_IMPORT_IN_THREAD = False
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, path, **data):
    with path.open("rb") as f:
        return client.post(reverse("web:import"), {"file": f, "year": YEAR, **data})


def api_client(user) -> APIClient:
    _, key = api_token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- web: import -----------------------------------------------------------------------------

def test_template_download(client, users):
    client.force_login(users["clerk_a"])
    resp = client.get(reverse("web:import_template"))
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    assert {HOUSEHOLD_SHEET, MEMBER_SHEET, "说明"} <= set(wb.sheetnames)
    hs = wb[HOUSEHOLD_SHEET]
    header = [c.value for c in hs[1]]
    assert header[:5] == ["户编号", "行政村代码", "村民小组", "住址", "户主姓名"]
    assert {"工资性收入", "住房面积（平方米）", "有卫生厕所", "耕地面积（亩）", "年度", "户状态"} <= set(header)
    lists = {str(dv.sqref): dv.formula1 for dv in hs.data_validations.dataValidation}
    assert len(lists) >= 5 and all(f.startswith("'选项'!") or f.startswith("选项!") for f in lists.values())
    ms_header = [c.value for c in wb[MEMBER_SHEET][1]]
    assert ms_header[:10] == ["户编号", "姓名", "证件类型", "证件号码", "性别", "出生日期", "与户主关系", "民族",
                              "联系电话", "残疾人证号"]
    assert "健康状况" in ms_header and "享受低保" in ms_header


def test_template_cli(tmp_path):
    from django.core.management import call_command

    call_command("template", str(tmp_path / "t.xlsx"))
    assert HOUSEHOLD_SHEET in load_workbook(tmp_path / "t.xlsx").sheetnames


def test_upload_runs_a_job_and_shows_the_result(client, users, tmp_path):
    client.force_login(users["township_a"])
    resp = upload(client, template_workbook(tmp_path / "a.xlsx"))
    job = ImportJob.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("web:import_job", args=[job.pk])
    assert job.status == "succeeded" and job.counts["households_created"] == 2
    page = client.get(resp["Location"]).content.decode()
    assert "导入完成" in page and "新增户" in page and 'http-equiv="refresh"' not in page
    assert Household.objects.count() == 2
    listing = client.get(reverse("web:import")).content.decode()
    assert "a.xlsx" in listing and "已完成" in listing


def test_failed_upload_lists_errors_and_offers_the_error_workbook(client, users, tmp_path):
    client.force_login(users["clerk_a"])
    members = [dict(MEMBERS[0], 证件号码="123")]
    upload(client, template_workbook(tmp_path / "bad.xlsx", households=HOUSEHOLDS[:1], members=members))
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error_count == 1
    page = client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert "证件号码“123”应为 18 位" in page and "下载错误标注文件" in page
    resp = client.get(reverse("web:import_job_errors", args=[job.pk]))
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    assert [c.value for c in wb[MEMBER_SHEET][1]][-1] == "错误原因"
    assert Member.objects.count() == 0


def test_dry_run_upload(client, users, tmp_path):
    client.force_login(users["county"])
    upload(client, template_workbook(tmp_path / "a.xlsx"), dry_run="on")
    job = ImportJob.objects.get()
    assert job.status == "succeeded" and job.dry_run and "未写入" in job.message
    assert Household.objects.count() == 0


def test_jobs_are_private_and_import_needs_the_right(client, users, tmp_path):
    client.force_login(users["county"])
    upload(client, template_workbook(tmp_path / "a.xlsx"))
    job = ImportJob.objects.get()
    client.force_login(users["township_a"])
    assert client.get(reverse("web:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("web:import_job_errors", args=[job.pk])).status_code == 404
    client.force_login(users["auditor"])
    assert client.get(reverse("web:import")).status_code == 403
    assert client.get(reverse("web:import_template")).status_code == 403


def test_upload_over_the_limit_is_refused_before_it_is_stored(client, users, tmp_path):
    PolicyValue.objects.create(key="import.max_file_mb", region_code="610000000000", year_from=2014, value=0.001)
    client.force_login(users["county"])
    resp = upload(client, template_workbook(tmp_path / "a.xlsx"))
    assert resp.status_code == 200 and "超过上限" in resp.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_of_a_non_xlsx_name_is_refused(client, users, tmp_path):
    client.force_login(users["county"])
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert "不是 .xlsx 文件" in upload(client, path).content.decode()


def test_running_job_page_shows_progress_and_refreshes(client, users, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = template_workbook(tmp_path / "a.xlsx").read_bytes()
    job = job_create(actor=users["county"], upload=SimpleUploadedFile("a.xlsx", data), year=YEAR)
    from fupin.registry.importing.jobs import _progress_path, _ProgressFile

    _ProgressFile(_progress_path(job))("校验", 30, 120)
    client.force_login(users["county"])
    page = client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and '<progress max="100" value="25"' in page and "校验" in page
    job_run(job.pk)
    page = client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "导入完成" in page


@pytest.mark.django_db(transaction=True)
def test_job_in_a_background_thread(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fupin.accounts.services import user_create
    from fupin.conftest import REGIONS
    from fupin.policy.services import load_national_defaults
    from fupin.regions.models import Region

    settings.FUPIN_IMPORT_IN_THREAD = True
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in REGIONS])
    if not PolicyValue.objects.exists():
        load_national_defaults()
    county = user_create(actor=None, username="county_t", password="Fupin#2026test", role="county_approver",
                         region_code="610926000000")
    data = template_workbook(tmp_path / "a.xlsx").read_bytes()
    job = job_create(actor=county, upload=SimpleUploadedFile("a.xlsx", data), year=YEAR)
    before = set(threading.enumerate())
    job_start(job)
    for t in set(threading.enumerate()) - before:
        t.join(timeout=60)
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert Household.objects.count() == 2


# --- web: export -----------------------------------------------------------------------------

def test_export_links_and_downloads(client, users, households):
    client.force_login(users["county"])
    listing = client.get(reverse("web:households", args=["610926000000"]) + "?status=not_exited").content.decode()
    assert reverse("web:export_xlsx", args=["610926000000"]) + "?status=not_exited" in listing
    resp = client.get(reverse("web:export_xlsx", args=["610926000000"]) + "?status=not_exited&year=2020")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    rows = list(wb[HOUSEHOLD_SHEET].values)
    assert len(rows) == 4 and "*" in rows[1][5]  # masked phone for the county approver
    resp = client.get(reverse("web:export_csv", args=["610926100000"]))
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert resp["Content-Type"].startswith("text/csv") and text.count("\n") == 1 + 4
    assert "filename*=" in resp["Content-Disposition"] or "filename=" in resp["Content-Disposition"]


def test_export_needs_the_right_and_scope(client, users, households):
    client.force_login(users["clerk_a"])
    assert client.get(reverse("web:export_xlsx", args=["610926100001"])).status_code == 403
    assert "导出当前结果" not in client.get(reverse("web:households", args=["610926100001"])).content.decode()
    client.force_login(users["township_b"])
    assert client.get(reverse("web:export_csv", args=["610926100000"])).status_code == 404


# --- API -------------------------------------------------------------------------------------

def test_api_export(users, households):
    resp = api_client(users["auditor"]).get("/api/v1/households/export?format=csv&region=610926100&year=2020")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert households["a1"].members.first().id_number in text  # the auditor sees IDs in full
    resp = api_client(users["county"]).get("/api/v1/households/export?format=xlsx&main_cause=illness")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    assert len(list(wb[HOUSEHOLD_SHEET].values)) == 4


def test_api_export_errors_are_json(users, households):
    from fupin.api.tests.conftest import assert_error

    assert_error(api_client(users["clerk_a"]).get("/api/v1/households/export"), 403)
    assert_error(api_client(users["auditor"]).get("/api/v1/households/export?format=pdf"), 400)
    assert_error(api_client(users["township_b"]).get("/api/v1/households/export?region=610926100"), 404)


def test_api_import_and_job_status(users, tmp_path):
    client = api_client(users["county"])
    with template_workbook(tmp_path / "a.xlsx").open("rb") as f:
        resp = client.post("/api/v1/imports", {"file": f, "year": YEAR}, format="multipart")
    assert resp.status_code == 202, resp.content
    body = resp.json()
    assert body["status"] == "succeeded" and body["counts"]["members_created"] == 4
    again = client.get(f"/api/v1/imports/{body['id']}")
    assert again.status_code == 200 and again.json()["progress"]["percent"] == 100
    assert api_client(users["township_a"]).get(f"/api/v1/imports/{body['id']}").status_code == 404


def test_api_import_refused_without_right(users, tmp_path):
    from fupin.api.tests.conftest import assert_error

    with template_workbook(tmp_path / "a.xlsx").open("rb") as f:
        assert_error(api_client(users["auditor"]).post("/api/v1/imports", {"file": f, "year": YEAR},
                                                       format="multipart"), 403)
