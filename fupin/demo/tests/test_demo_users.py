from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.accounts.services import authenticate_user
from fupin.audit.selectors import verify_chain
from fupin.demo.generator import generate_county
from fupin.demo.users import DEMO_ACCOUNTS, DEMO_PASSWORD
from fupin.registry.models import Household

EXPECTED_REGIONS = {
    "demo_township": "610926100000",
    "demo_county": "610926000000",
    "demo_city": "610900000000",
    "demo_province": "610000000000",
    "demo_auditor": "610926000000",
    "demo_admin": "610926000000",
    "demo_cadre": "610926100000",
}


def run(*args) -> str:
    out = StringIO()
    call_command("create_demo_users", "--county", "610926", *args, stdout=out)
    return out.getvalue()


def test_demo_users_log_in_and_rerun_resets(county):
    generate_county(county_code="610926", households=200)
    text = run()
    assert "网址: http://127.0.0.1:8000/" in text and DEMO_PASSWORD in text and "新建 8 个" in text
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    assert len(users) == 8 == len(DEMO_ACCOUNTS)
    assert {u.role for u in users.values()} == {role for role, _ in Role.CHOICES}
    for name, code in EXPECTED_REGIONS.items():
        assert users[name].region_id == code
    # The clerk's village is the biggest of the reviewer's township.
    clerk = users["demo_clerk"]
    assert clerk.region_id.startswith("610926100") and clerk.region.level == "village"
    cadre = users["demo_cadre"]
    paired = Household.objects.filter(helper=cadre)
    assert paired.count() == 10 and all(h.village_id.startswith("610926100") for h in paired)
    for username in users:
        assert authenticate_user(username=username, password=DEMO_PASSWORD).username == username

    # Someone changed a password and got locked out; a rerun puts everything back.
    cadre.set_password("Something#else1")
    cadre.locked_until = None
    cadre.failed_logins = 3
    cadre.save()
    text = run()
    assert "重置密码 8 个" in text
    assert User.objects.filter(username__startswith="demo_").count() == 8
    assert Household.objects.filter(helper__username="demo_cadre").count() == 10
    for username in users:
        assert authenticate_user(username=username, password=DEMO_PASSWORD).username == username
    assert verify_chain().ok


def test_demo_users_need_data(county):
    with pytest.raises(CommandError, match="generate_demo"):
        run()
