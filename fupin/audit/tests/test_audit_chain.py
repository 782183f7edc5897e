import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from fupin.audit.context import acting
from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.audit.services import Action, Entry, record, record_many
from fupin.registry.services import household_update


def _entries(n):
    return [Entry(action=Action.CREATE, object_type="registry.household", object_id=str(i), object_repr=f"户{i}",
                  region_code="610926100001", after={"phone": "13800138000", "n": i, "金额": "1.50"}) for i in range(n)]


def _drop_append_only_trigger():
    """What a DBA with DDL rights could do; the chain must still catch the change."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_no_update")


def _verify_json(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit", "--json")
    assert exc.value.code == 2
    return json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_chain_links_and_verifies():
    record_many(entries=_entries(5))
    record(entry=_entries(1)[0])
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5, 6]
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    result = verify_chain()
    assert result.ok and result.checked == 6


@pytest.mark.django_db
def test_records_actor_and_address(users, households):
    with acting(actor_name="ignored", ip="10.1.2.3"):
        household_update(actor=users["clerk_a"], household_id=households["a1"].pk, changes={"address": "新地址"})
    event = AuditEvent.objects.filter(action=Action.UPDATE).get()
    assert event.actor_id == users["clerk_a"].pk and event.actor_name == "clerk_a"
    assert event.ip == "10.1.2.3"
    assert event.object_type == "registry.household" and event.object_id == str(households["a1"].pk)
    assert event.before == {"address": "610926100001 一组"} and event.after == {"address": "新地址"}
    assert event.region_code == "610926100001"


@pytest.mark.django_db
def test_database_refuses_update():
    record_many(entries=_entries(2))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(actor_name="mallory")


@pytest.mark.django_db
def test_altered_row_is_detected(capsys):
    record_many(entries=_entries(10))
    _drop_append_only_trigger()
    AuditEvent.objects.filter(seq=4).update(after={"phone": "13900000000", "n": 3, "金额": "1.50"})
    result = _verify_json(capsys)
    assert result["ok"] is False and result["broken_at_seq"] == 4
    assert "篡改" in result["reason"]


@pytest.mark.django_db
def test_rehashed_row_breaks_next_link(capsys):
    """Recomputing the altered row's own hash does not help: the next row still points to the old one."""
    from fupin.audit.chain import row_hash

    record_many(entries=_entries(5))
    _drop_append_only_trigger()
    row = AuditEvent.objects.filter(seq=2).values().get()
    row["actor_name"] = "mallory"
    AuditEvent.objects.filter(seq=2).update(actor_name="mallory", hash=row_hash(row))
    result = _verify_json(capsys)
    assert result["broken_at_seq"] == 3


@pytest.mark.django_db
def test_deleted_row_is_detected(capsys):
    record_many(entries=_entries(6))
    _drop_append_only_trigger()
    AuditEvent.objects.filter(seq=3).delete()
    result = _verify_json(capsys)
    assert result["broken_at_seq"] == 3 and "删除" in result["reason"]


@pytest.mark.django_db
def test_deleted_newest_rows_are_detected(capsys):
    record_many(entries=_entries(6))
    _drop_append_only_trigger()
    AuditEvent.objects.filter(seq__gte=5).delete()
    result = _verify_json(capsys)
    assert result["broken_at_seq"] == 5 and "最新" in result["reason"]


@pytest.mark.django_db
def test_verify_command_ok(capsys):
    record_many(entries=_entries(3))
    call_command("verify_audit", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out == {"ok": True, "checked": 3, "last_seq": 3, "broken_at_seq": None, "reason": ""}


@pytest.mark.django_db
def test_failed_change_writes_no_audit(users, households):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        household_update(actor=users["clerk_a"], household_id=households["a1"].pk, changes={"phone": "123"})
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()
