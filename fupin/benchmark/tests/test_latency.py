"""API latency job: what locust requests answers 200 with the right bodies for the benchmark's
account, locust's CSV statistics become the result, the target and check logic, and the gunicorn
helper starts and stops the whole process group. locust itself is not needed (nor imported)."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from fupin.accounts.models import ApiToken, User
from fupin.audit.models import AuditEvent
from fupin.benchmark import server as srv
from fupin.benchmark.jobs import latency
from fupin.conftest import make_household

HEADER = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
          "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
          "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%")


def stats_csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "locust_100_stats.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# A real locust 2.47 file's shape: one row per request name, then "Aggregated" with an empty type.
ROWS_100 = [
    "GET,household_detail,3000,0,21,27.53,4.1,410.2,1830.0,48.1,0.0,21,25,29,32,41,58,90,120,300,410,410",
    "GET,household_search,1000,0,35,44.12,9.8,520.7,20311.0,16.0,0.0,35,41,47,51,66,88,130,170,480,520,520",
    "GET,reference,1000,0,9,11.40,2.2,200.3,180.0,16.0,0.0,9,11,12,13,16,20,31,45,190,200,200",
    ",Aggregated,5000,0,22,27.6,2.2,520.7,4500.0,80.1,0.0,22,26,30,33,44,62,97,130,380,520,520",
]


def test_locust_stats_become_the_result(tmp_path):
    stats = latency.parse_locust_stats(stats_csv(tmp_path, ROWS_100))
    assert stats["household_detail"] == {"requests": 3000, "failures": 0, "p50_ms": 21.0, "p95_ms": 58.0,
                                         "p99_ms": 120.0, "mean_ms": 27.5, "max_ms": 410.2, "rps": 48.1}
    assert stats["all"]["requests"] == 5000 and stats["all"]["rps"] == 80.1
    level = latency.level_result(100, stats)
    assert level["users"] == 100 and level["requests"] == 5000 and level["failures"] == 0
    assert level["ratio_p95"] == {"household_detail": 2.9, "household_search": 4.4}  # 58/20, 88/20
    assert set(level["endpoints"]) == {"household_detail", "household_search", "reference"}


def test_no_requests_gives_empty_percentiles(tmp_path):
    stats = latency.parse_locust_stats(stats_csv(tmp_path, [
        "GET,reference,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A"]))
    assert stats["reference"]["p95_ms"] is None and stats["reference"]["requests"] == 0


def _level(users, detail_p95, *, failures=0, missing=None):
    endpoints = {}
    for name in latency.ENDPOINTS:
        if name == missing:
            continue
        p95 = detail_p95 if name == "household_detail" else 20.0
        endpoints[name] = {"requests": 100, "failures": failures if name == "household_detail" else 0,
                           "p50_ms": 10.0, "p95_ms": p95, "p99_ms": p95, "mean_ms": 11.0, "max_ms": p95,
                           "rps": 5.0}
    endpoints["all"] = {"requests": 100 * len(endpoints), "failures": failures, "rps": 15.0}
    return latency.level_result(users, endpoints)


def test_target_is_the_household_page_p95_at_100_clients():
    met = latency.verdict([_level(20, 300.0), _level(100, 99.0)])
    assert met == {"target_met": True, "checked": True, "failures": 0, "ratio": 4.95}
    # exactly 100 ms is not below 100 ms; the 20-client level does not count for the target
    assert latency.verdict([_level(20, 10.0), _level(100, 100.0)])["target_met"] is False
    assert latency.verdict([_level(20, 10.0)])["target_met"] is False


def test_failures_or_a_missing_endpoint_uncheck_the_result():
    failed = latency.verdict([_level(20, 30.0), _level(100, 40.0, failures=3)])
    assert failed["checked"] is False and failed["failures"] == 3 and failed["target_met"] is True
    assert latency.verdict([_level(20, 30.0), _level(100, 40.0, missing="reference")])["checked"] is False
    assert latency.verdict([])["checked"] is False


def test_failures_csv_is_read(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('Method,Name,Error,Occurrences\nGET,household_detail,"HTTP 500",4\n', encoding="utf-8")
    assert latency.read_failures(path) == [{"name": "household_detail", "error": "HTTP 500",
                                            "occurrences": 4}]
    assert latency.read_failures(tmp_path / "absent.csv") == []


def test_plan_has_every_key_the_locustfile_reads():
    source = latency.LOCUSTFILE.read_text(encoding="utf-8")
    read = set(re.findall(r'PLAN\["(\w+)"\]', source))
    plan = latency.build_plan(username="u", tokens=["t"], households=[(1, "610926100001001", "王一")])
    assert read == set(plan)
    assert set(re.findall(r'name="(\w+)"', source)) == set(latency.ENDPOINTS) == set(latency.WEIGHTS)


def test_locust_command_ramps_then_measures(tmp_path):
    cmd = latency.locust_command(host="http://127.0.0.1:1", users=100, csv_prefix=tmp_path / "x", duration=60)
    assert cmd[cmd.index("-u") + 1] == "100" and cmd[cmd.index("-r") + 1] == "20"
    assert cmd[cmd.index("-t") + 1] == "65s" and "--reset-stats" in cmd and "--headless" in cmd


@pytest.mark.django_db
def test_what_locust_requests_answers_for_the_bench_account(regions, households):
    audit_before = AuditEvent.objects.count()
    make_household("610926100001002", "610926100001", head="赵六")
    user, keys = latency.create_bench_account(county_code="610926000000", tokens=3)
    assert user.role == "county_approver" and not user.has_usable_password()
    assert ApiToken.objects.filter(user=user).count() == 3
    sample = latency.sample_households("610926000000")
    assert sorted(h[1] for h in sample) == ["610926100001001", "610926100001002", "610926100002001",
                                            "610926101001001"]
    plan = latency.build_plan(username=user.username, tokens=keys, households=sample)
    client = APIClient()
    for i, hid in enumerate(plan["households"]):
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[i % 3]}")
        r = client.get(f"/api/v1/households/{hid}")
        assert r.status_code == 200 and r.json()["id"] == hid and r.json()["members"]
    for q in plan["searches"]:
        r = client.get("/api/v1/households", {"q": q})
        assert r.status_code == 200 and r.json()["count"] >= 1, q
    r = client.get(plan["reference_path"])
    assert r.status_code == 200 and r.json()["username"] == user.username
    assert latency.drop_bench_accounts() == 1
    assert not User.objects.filter(username__startswith=latency.ACCOUNT_PREFIX).exists()
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.count() == audit_before  # nothing left behind that cannot be deleted


def test_server_starts_answers_and_stops_with_its_workers(tmp_path):
    with srv.running_server(workers=1, threads=2, log_path=tmp_path / "g.log") as server:
        pgid = server.process.pid
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(server.url + "/api/v1/me", timeout=10)
        assert exc.value.code == 401  # Django answered: token/session auth required
        assert server.config["workers"] == 1 and server.config["worker_class"] == "gthread"
    assert server.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)  # no worker of the group is left


def test_server_dies_with_the_job_process_even_on_sigkill(tmp_path):
    """A runner's timeout kills the job with SIGKILL: no finally runs, the server must go anyway."""

    script = ("import time\nfrom fupin.benchmark import server as s\n"
              "with s.running_server(workers=1, threads=1) as srv:\n"
              "    print(srv.process.pid, flush=True)\n    time.sleep(600)\n")
    job = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "DJANGO_SETTINGS_MODULE": "fupin.settings"})
    try:
        pgid = int(job.stdout.readline())
        os.killpg(pgid, 0)  # running
        job.send_signal(signal.SIGKILL)
        job.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)
    finally:
        if job.poll() is None:
            job.kill()


def test_sigterm_raises_inside_the_job_so_cleanup_runs():

    before = signal.getsignal(signal.SIGTERM)
    cleaned = []
    with pytest.raises(SystemExit) as exc, srv.terminate_raises():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(100):  # the handler runs between bytecodes
                pass
        finally:
            cleaned.append(True)
    assert exc.value.code == 128 + signal.SIGTERM and cleaned == [True]
    assert signal.getsignal(signal.SIGTERM) == before  # restored


def test_server_env_turns_debug_off():
    env = srv.server_env({"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "FUPIN_DEBUG": "1"})
    assert env["FUPIN_DEBUG"] == "0" and env["DATABASE_URL"] == "sqlite:////tmp/x.sqlite3"


# --- What the benchmark changed in the endpoints it measures -------------------------------------

@pytest.mark.django_db
def test_token_use_is_written_at_most_once_a_minute(users):
    from datetime import timedelta

    from django.utils import timezone

    from fupin.accounts.services import TOKEN_TOUCH_INTERVAL, api_token_create, api_token_user

    token, key = api_token_create(user=users["county"])
    assert api_token_user(key) == users["county"]
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_token_user(key)
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: no write
    earlier = first - TOKEN_TOUCH_INTERVAL - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    api_token_user(key)
    token.refresh_from_db()
    assert first <= token.last_used_at <= timezone.now()  # written again: it was over a minute old


@pytest.mark.django_db
def test_household_page_and_search_query_counts(api, households, django_assert_num_queries):
    client = api("county")
    client.get("/api/v1/me")  # the token's first use is recorded (one UPDATE); later requests only read
    hid = households["b1"].pk
    # token with its user and region; the household with village and helper; its members
    with django_assert_num_queries(3):
        body = client.get(f"/api/v1/households/{hid}").json()
    assert body["id"] == hid and len(body["members"]) == 3
    assert (body["status_label"], body["main_cause_label"], body["attribute_label"]) == ("未脱贫", "因病", "一般贫困户")
    assert [m["relation_label"] for m in body["members"]] == ["户主", "之子", "之子"]
    # token; count; the page (member counts as a subquery per row, no join grouped over every match)
    with django_assert_num_queries(3):
        page = client.get("/api/v1/households", {"q": "李三"}).json()
    assert page["count"] == 1 and page["results"][0]["member_count"] == 3


@pytest.mark.django_db
def test_member_count_in_lists_counts_leavers_and_empty_households(api, households):
    from datetime import date

    from fupin.registry.models import Household, Member

    Member.objects.filter(household=households["b1"], relation="son").update(left_on=date(2020, 5, 1),
                                                                           left_reason="death")
    Household.objects.create(household_no="610926100001900", village_id="610926100001", head_name="空户",
                             main_cause="illness", registered_year=2014)
    results = api("county").get("/api/v1/households").json()["results"]
    rows = {r["household_no"]: r["member_count"] for r in results}
    assert rows == {"610926100001001": 2, "610926100002001": 2, "610926101001001": 3, "610926100001900": 0}


def test_cpu_per_request_counts_the_ramp_at_half_rate():
    # 60 s measured + 5 s ramp at half the rate: 1200 requests stand for 1250
    assert latency.cpu_per_request(1200, duration=60, server_cpu=10.0, locust_cpu=2.5) == {
        "server_cpu_ms_per_request": 8.0, "locust_cpu_ms_per_request": 2.0}
    assert latency.cpu_per_request(0, duration=60, server_cpu=1.0, locust_cpu=1.0) == {
        "server_cpu_ms_per_request": None, "locust_cpu_ms_per_request": None}
    unknown = latency.cpu_per_request(10, duration=60, server_cpu=None, locust_cpu=0.0)
    assert unknown["server_cpu_ms_per_request"] is None


def test_group_cpu_seconds_of_a_busy_process_group():

    child = subprocess.Popen([sys.executable, "-c", "x = 0\nwhile True: x += 1"], start_new_session=True)
    try:
        first = srv.group_cpu_seconds(child.pid)
        time.sleep(1.0)
        assert srv.group_cpu_seconds(child.pid) > first
        assert srv.group_cpu_seconds(999_999_999) == 0  # no such group: nothing counted
    finally:
        child.kill()
        child.wait()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["county", "city", "auditor", "cadre"])
def test_household_serializers_render_what_their_fields_declare(users, households, persona):
    """The household serializers build their dicts directly (speed); DRF's generic rendering of the
    declared fields must give the same JSON, byte for byte, for every role's masking."""
    from datetime import date
    from types import SimpleNamespace

    from rest_framework.renderers import JSONRenderer
    from rest_framework.serializers import ModelSerializer

    from fupin.api.serializers import HouseholdDetailSerializer, HouseholdListItemSerializer, MemberSerializer
    from fupin.registry.models import Household, Member
    from fupin.registry.selectors import household_access, household_list, household_members

    Household.objects.filter(pk=households["b1"].pk).update(other_causes=["disability", "labour"], exit_year=2019,
                                                             group_name="三组", bank_name="信用社")
    Member.objects.filter(household=households["b1"], relation="son").update(
        left_on=date(2020, 5, 1), left_reason="death", phone="13912345678", disability_cert_no="61092619800101")
    user = users[persona]
    render = JSONRenderer().render
    for in_list in (False, True):
        context = {"request": SimpleNamespace(user=user), "in_list": in_list}
        for h in households.values():
            try:
                household = household_access(user, h.pk)
            except Exception:  # noqa: BLE001 -- outside this persona's scope (404)
                continue
            members = list(household_members(user, household))
            detail = HouseholdDetailSerializer(household, context={**context, "members": members})
            assert render(detail.data) == render(ModelSerializer.to_representation(detail, household))
            member = MemberSerializer(context=context)
            for m in members:
                assert render(member.to_representation(m)) == render(ModelSerializer.to_representation(member, m))
        items = HouseholdListItemSerializer(household_list(user), many=True, context=context)
        generic = [ModelSerializer.to_representation(items.child, h) for h in household_list(user)]
        assert render(items.data) == render(generic)
        assert len(generic) == {"county": 3, "city": 3, "auditor": 3, "cadre": 1}[persona]
