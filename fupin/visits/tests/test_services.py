"""Recording and changing visits: who may, what is checked, the photo, the audit trail."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.policy.services import policy_set
from fupin.visits.models import Visit
from fupin.visits.services import visit_create, visit_follow_up_close, visit_update

from .helpers import JPEG, PNG, files_under, jpeg, record, registered

pytestmark = pytest.mark.django_db
DAY = date(2020, 3, 2)


def test_cadre_records_a_visit_to_their_household(users, households):
    a1 = households["a1"]
    v = record(users, "cadre", a1, DAY, kind="入户走访", problems="房屋漏雨", follow_up="联系危房改造",
               follow_up_due="2020-04-01")
    assert (v.cadre, v.recorded_by, v.village_id, v.kind) == (users["cadre"], users["cadre"], a1.village_id, "home")
    assert v.follow_up_due == date(2020, 4, 1) and not v.follow_up_done and v.on_behalf_note == ""
    event = AuditEvent.objects.get(object_type="visits.visit", object_id=str(v.pk), action="create")
    assert event.after["content"] == "了解家庭收入情况" and event.actor_name == "cadre"
    assert verify_chain().ok


def test_visit_date_defaults_to_today(users, households):
    v = visit_create(actor=users["cadre"], household_id=households["a1"].pk, data={"content": "宣传政策"})
    assert v.visited_on == timezone.localdate()


def test_cadre_cannot_record_for_another_cadres_household(users, households):
    for key in ("a2", "b1"):
        with pytest.raises(Http404):
            record(users, "cadre", households[key], DAY)
    with pytest.raises(Http404):  # a clerk outside the village
        record(users, "clerk_b", households["a1"], DAY, on_behalf_note="电话告知")
    assert not Visit.objects.exists()


def test_viewers_may_not_record(users, households):
    for who in ("city", "auditor", "admin", "province"):
        with pytest.raises(PermissionDenied):
            record(users, who, households["a1"], DAY)
    assert not Visit.objects.exists()


def test_clerk_records_on_behalf_with_a_note(users, households):
    a1 = households["a1"]
    with pytest.raises(ValidationError) as exc:
        record(users, "clerk_a", a1, DAY)
    assert "代录说明" in exc.value.message_dict["on_behalf_note"][0]
    v = record(users, "township_a", a1, DAY, on_behalf_note="帮扶责任人电话告知，纸质记录补录")
    assert (v.cadre, v.recorded_by) == (users["cadre"], users["township_a"])
    # Without a helper there is nobody to record for.
    with pytest.raises(ValidationError) as exc:
        record(users, "township_a", households["a2"], DAY, on_behalf_note="纸质记录补录")
    assert "尚未结对" in exc.value.message_dict["cadre"][0]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"visited_on": "2999-01-01"}, "visited_on", "不能晚于今天"),
    ({"visited_on": "2013-12-31"}, "visited_on", "不能早于该户建档日期（2014-01-01）"),
    ({"visited_on": "2020-02-30"}, "visited_on", "不是有效日期"),
    ({"content": "  "}, "content", "走访内容不能为空"),
    ({"content": "x" * 1001}, "content", "不能超过 1000 个字"),
    ({"kind": "上门"}, "kind", "不是有效选项"),
    ({"follow_up_due": "2020-04-01"}, "follow_up_due", "请同时填写措施和跟进事项"),
    ({"follow_up": "联系医保", "follow_up_due": "2020-03-01"}, "follow_up_due", "不能早于走访日期"),
    ({"cadre": "1"}, "cadre", "不能在此填写"),
])
def test_input_is_checked_per_field(users, households, data, field, message):
    with pytest.raises(ValidationError) as exc:
        record(users, "cadre", households["a1"], DAY, **data)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Visit.objects.exists()


def test_not_before_the_registration_event(users, households):
    a1 = households["a1"]
    registered(a1, date(2016, 5, 10))
    with pytest.raises(ValidationError, match="2016-05-10"):
        record(users, "cadre", a1, date(2016, 5, 9))
    assert record(users, "cadre", a1, date(2016, 5, 10)).visited_on == date(2016, 5, 10)


def test_removed_household_takes_no_visits(users, households):
    a1 = households["a1"]
    a1.status = "removed"
    a1.save()
    with pytest.raises(ValidationError, match="已清退"):
        record(users, "cadre", a1, DAY)


def test_photo_is_stored_by_hash(users, households, media):
    v = record(users, "cadre", households["a1"], DAY, photo=jpeg())
    assert v.photo.name == f"visits/2020/{households['a1'].pk}/{v.photo_sha256}.jpg"
    assert (media / v.photo.name).read_bytes() == JPEG
    assert (v.photo_name, v.photo_type, v.photo_size) == ("走访.jpg", "image/jpeg", len(JPEG))


@pytest.mark.parametrize(("upload", "message"), [
    (jpeg("病毒.exe", b"MZ\x90\x00"), "走访照片“病毒.exe”的类型不允许（允许：jpg、jpeg、png）"),
    (jpeg("扫描件.pdf", b"%PDF-1.4"), "类型不允许"),
    (jpeg("假图片.jpg", b"MZ\x90\x00" * 10), "内容与扩展名 .jpg 不符"),
    (jpeg("空.png", b""), "是空文件"),
    (jpeg("大.png", PNG + b"\x00" * (1024 * 1024)), "走访照片“大.png”超过 1 MB"),
])
def test_bad_photo_is_refused_and_nothing_written(users, households, media, upload, message):
    policy_set(actor=None, key="visits.photo_max_mb", region_code="610000000000", year_from=2014, value=1)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        record(users, "cadre", households["a1"], DAY, photo=upload)
    assert message in exc.value.message_dict["photo"][0]
    assert not Visit.objects.exists()
    assert files_under(media) == []
    assert AuditEvent.objects.count() == audit_before


def test_photo_types_and_size_follow_the_policy(users, households, media):
    policy_set(actor=None, key="visits.photo_types", region_code="610000000000", year_from=2014, value=["png"])
    with pytest.raises(ValidationError, match="允许：png"):
        record(users, "cadre", households["a1"], DAY, photo=jpeg())
    assert record(users, "cadre", households["a1"], DAY, photo=jpeg("a.png", PNG)).photo_type == "image/png"
    with pytest.raises(ValidationError, match="走访照片类型"):
        policy_set(actor=None, key="visits.photo_types", region_code="610000000000", year_from=2014, value=["exe"])
    with pytest.raises(ValidationError, match="最长间隔"):
        policy_set(actor=None, key="visits.max_days_between", region_code="610000000000", year_from=2014, value=0)
    with pytest.raises(ValidationError, match="走访方式"):
        policy_set(actor=None, key="visits.counted_kinds", region_code="610000000000", year_from=2014,
                   value=["visit"])


def test_only_the_recorder_edits_and_every_change_is_audited(users, households, media):
    a1 = households["a1"]
    v = record(users, "township_a", a1, DAY, on_behalf_note="纸质记录补录")
    with pytest.raises(PermissionDenied):
        visit_update(actor=users["cadre"], visit_id=v.pk, changes={"content": "改"})
    with pytest.raises(Http404):
        visit_update(actor=users["township_b"], visit_id=v.pk, changes={"content": "改"})
    with pytest.raises(ValidationError) as exc:  # an on-behalf record keeps its note
        visit_update(actor=users["township_a"], visit_id=v.pk, changes={"on_behalf_note": ""})
    assert "on_behalf_note" in exc.value.message_dict
    v = visit_update(actor=users["township_a"], visit_id=v.pk,
                     changes={"content": "核实住房", "follow_up": "申请危房改造"}, photo=jpeg())
    event = AuditEvent.objects.filter(object_type="visits.visit", object_id=str(v.pk), action="update").last()
    assert event.before == {"content": "了解家庭收入情况", "follow_up": "", "photo": "", "photo_name": "",
                            "photo_type": "", "photo_size": None, "photo_sha256": ""}
    assert event.after["content"] == "核实住房" and event.after["photo"].endswith(".jpg")
    count = AuditEvent.objects.count()
    visit_update(actor=users["township_a"], visit_id=v.pk, changes={"content": "核实住房"})
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded
    v = visit_update(actor=users["township_a"], visit_id=v.pk, changes={}, remove_photo=True)
    assert not v.photo and files_under(media)  # the file stays for the audit trail
    assert verify_chain().ok


def test_follow_up_is_closed_by_recorder_or_current_helper(users, households):
    a1 = households["a1"]
    v = record(users, "clerk_a", a1, DAY, on_behalf_note="补录", follow_up="办理医保")
    with pytest.raises(PermissionDenied):
        visit_follow_up_close(actor=users["township_a"], visit_id=v.pk)
    with pytest.raises(ValidationError, match="不能早于走访日期"):
        visit_follow_up_close(actor=users["cadre"], visit_id=v.pk, done_on="2020-03-01")
    v = visit_follow_up_close(actor=users["cadre"], visit_id=v.pk, done_on="2020-03-20")
    assert v.follow_up_done and v.follow_up_done_on == date(2020, 3, 20)
    with pytest.raises(ValidationError, match="没有待办结"):
        visit_follow_up_close(actor=users["cadre"], visit_id=v.pk)
    assert AuditEvent.objects.filter(object_type="visits.visit", action="update",
                                     after__follow_up_done=True).count() == 1


def test_follow_up_done_when_recorded(users, households):
    v = record(users, "cadre", households["a1"], DAY, follow_up="代办低保", follow_up_done="是")
    assert v.follow_up_done and v.follow_up_done_on == timezone.localdate()
    v = visit_update(actor=users["cadre"], visit_id=v.pk, changes={"follow_up_done": False})
    assert not v.follow_up_done and v.follow_up_done_on is None
    v = visit_update(actor=users["cadre"], visit_id=v.pk, changes={"visited_on": DAY + timedelta(days=1)})
    assert v.visited_on == date(2020, 3, 3)
