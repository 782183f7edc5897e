"""Steps as configuration, application input, attachments."""

import copy
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.conftest import make_id_number
from fupin.identification.engine import StepConfigError, validate_steps
from fupin.identification.models import Attachment, Case
from fupin.identification.services import identification_case_open
from fupin.policy.defaults import NATIONAL_DEFAULTS
from fupin.policy.services import policy_set

from .helpers import PDF, VILLAGE, YEAR, act, application, d, open_identification, walk_identification_to

pytestmark = pytest.mark.django_db

NATIONAL_STEPS = next(v for k, _, v, _, _ in NATIONAL_DEFAULTS if k == "workflow.identification.steps")
EXIT_STEPS = next(v for k, _, v, _, _ in NATIONAL_DEFAULTS if k == "workflow.exit.steps")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_national_defaults_are_valid():
    steps = validate_steps(NATIONAL_STEPS, procedure="identification")
    assert [s.kind for s in steps][-1] == "effect" and steps[3].days == 7 and steps[1].pass_ratio == 0.5
    exit_steps = validate_steps(EXIT_STEPS, procedure="exit")
    assert [s.code for s in exit_steps if s.assess] == ["verify"]
    assert [s.code for s in steps if s.assess] == ["verify"]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda s: s.pop(), "最后一步须为生效步骤"),
    (lambda s: s.append({"code": "extra", "name": "多余", "kind": "action", "role": "village_clerk"}),
     "第 9 步（建档立卡）为生效步骤，只能是最后一步"),
    (lambda s: s.__setitem__(1, "民主评议"), "第 2 步应为对象"),
    (lambda s: s[1].update(colour="red"), "未知属性：colour"),
    (lambda s: s[1].update(kind="poll"), "类型 kind “poll”无效"),
    (lambda s: s[1].update(role="mayor"), "角色 role “mayor”无效"),
    (lambda s: s[1].update(role="city_viewer"), "无权办理业务"),
    (lambda s: s[2].update(code="apply"), "code “apply”重复"),
    (lambda s: s[3].pop("days"), "须设置公示天数"),
    (lambda s: s[1].update(pass_ratio=1.5), "须设置通过比例"),
    (lambda s: s[0].update(days=3), "不能设置 days"),
    (lambda s: s.insert(0, {"code": "x", "name": "生效", "kind": "effect", "role": "village_clerk"}), "只能是最后一步"),
])
def test_bad_configurations_are_named(mutate, message):
    steps = copy.deepcopy(NATIONAL_STEPS)
    mutate(steps)
    with pytest.raises(StepConfigError, match=message) as exc:
        validate_steps(steps, procedure="identification")
    assert "workflow.identification.steps" in exc.value.messages[0]


def test_a_province_adding_a_step_changes_new_cases_only(users):
    before = open_identification(users)
    steps = copy.deepcopy(NATIONAL_STEPS)
    steps.insert(4, {"code": "data_check", "name": "信息比对", "kind": "action", "role": "township_reviewer"})
    steps[3]["days"] = 5
    policy_set(actor=None, key="workflow.identification.steps", region_code="610000000000", year_from=2018,
               value=steps)
    after = open_identification(users)
    assert len(before.steps) == 9 and len(after.steps) == 10
    assert after.steps[4]["name"] == "信息比对" and after.steps_policy["region_code"] == "610000000000"
    # The old case goes on with its own copy; the new one must pass 信息比对 before 乡镇审核.
    walk_identification_to(users, before, "township_review")
    assert before.current_step == "township_review"
    walk_identification_to(users, after, "township_review")
    assert after.current_step == "data_check"
    notice = after.notice_entries.get().notice
    assert notice.days == 5 and notice.ends_on == d(3, 11)
    with pytest.raises(ValidationError, match="当前步骤为“信息比对”"):
        act(users, "township_a", after, "township_review", on=d(3, 15))
    act(users, "township_a", after, "data_check", on=d(3, 15), comment="与车辆、房产、工商、财政供养数据比对无异常")
    act(users, "township_a", after, "township_review", on=d(3, 16))
    after.refresh_from_db()
    assert after.current_step == "notice2"


def test_a_broken_province_configuration_refuses_new_cases_with_the_key(users):
    # policy_set refuses such a value; a row written around it (e.g. by hand in the database)
    # still cannot open cases.
    from fupin.policy.models import PolicyValue

    PolicyValue.objects.create(key="workflow.identification.steps", region_code="610000000000", year_from=2018,
                               value=[{"code": "apply", "name": "申请", "kind": "action", "role": "village_clerk"}])
    with pytest.raises(ValidationError) as exc:
        open_identification(users)
    text = exc.value.messages[0]
    assert "workflow.identification.steps" in text and "610000000000" in text and "生效步骤" in text
    assert not Case.objects.exists()


def test_application_is_cleaned_by_the_registry_rules(users):
    def open_with(**changes):
        return identification_case_open(actor=users["clerk_a"], village_code=VILLAGE, year=YEAR,
                                        data={**application(), **changes}, on=d(3, 1))

    with pytest.raises(ValidationError) as exc:
        open_with(id_number="610926197505050000", main_cause="发财", wage_income="-5", colour="red",
                  other_causes=["因病"])
    errors = exc.value.message_dict
    assert "校验位错误" in errors["id_number"][0]
    assert "不是有效选项" in errors["main_cause"][0] and "不能为负数" in errors["wage_income"][0]
    assert "colour" in errors
    with pytest.raises(ValidationError) as exc:
        open_with(main_cause="因病", other_causes=["因病"])
    assert "不能与主要致贫原因" in exc.value.message_dict["other_causes"][0]
    head = make_id_number(date(1970, 1, 1), 901)
    with pytest.raises(ValidationError, match="户主与申请人"):
        open_with(id_number=head, members=[{"name": "别人", "id_number": make_id_number(date(1971, 1, 1), 903),
                                            "relation": "户主"}])
    twin = make_id_number(date(2010, 1, 1), 905)
    with pytest.raises(ValidationError, match="成员证件号码重复"):
        open_with(id_number=head, members=[{"name": "甲", "id_number": twin, "relation": "之子"},
                                           {"name": "乙", "id_number": twin, "relation": "之子"}])
    with pytest.raises(ValidationError, match="第 2 位成员（丙）.*校验位错误"):
        open_with(id_number=head, members=[{"name": "丙", "id_number": "610926201001010000", "relation": "之子"}])
    assert not Case.objects.exists()


def test_registered_persons_cannot_apply(users, households):
    member = households["a1"].members.first()
    with pytest.raises(ValidationError, match="已是建档立卡户成员"):
        identification_case_open(actor=users["clerk_a"], village_code=VILLAGE, year=YEAR, on=d(3, 1), data={
            **application(), "members": [{"name": member.name, "id_number": member.id_number, "relation": "之父"}]})


def test_attachment_checks(users):
    case = open_identification(users)
    exe = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="内容与扩展名 .pdf 不符"):
        act(users, "clerk_a", case, "apply", on=d(3, 2), attachments=[exe])
    with pytest.raises(ValidationError, match="类型不允许"):
        act(users, "clerk_a", case, "apply", on=d(3, 2), attachments=[SimpleUploadedFile("a.exe", PDF)])
    policy_set(actor=None, key="attachment.max_mb", region_code="610000000000", year_from=2014, value=1)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="超过 1 MB"):
        act(users, "clerk_a", case, "apply", on=d(3, 2), attachments=[big])
    case.refresh_from_db()
    assert case.current_step == "apply" and not Attachment.objects.exists()
    jpg = SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff\xe0" + b"1" * 100)
    act(users, "clerk_a", case, "apply", on=d(3, 2), attachments=[jpg, SimpleUploadedFile("a.pdf", PDF)])
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/jpeg"]


def test_a_broken_step_configuration_is_refused_when_saved(regions):
    from django.core.exceptions import ValidationError

    from fupin.policy.selectors import resolve
    from fupin.policy.services import policy_set

    steps = resolve("workflow.identification.steps", year=2020).value
    broken = [s for s in steps if s["kind"] != "effect"] + [{**steps[0], "code": "apply"}]
    with pytest.raises(ValidationError, match="workflow.identification.steps"):
        policy_set(actor=None, key="workflow.identification.steps", region_code="610000000000", year_from=2020,
                   value=broken)
    with pytest.raises(ValidationError):
        policy_set(actor=None, key="workflow.exit.steps", region_code="610000000000", year_from=2020, value=[])
    assert resolve("workflow.identification.steps", year=2020, region_code="610926100001").region_code == \
        "000000000000"
