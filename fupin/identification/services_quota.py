"""Village quotas (识别规模): how many households a village may identify in a round, set by the county."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range, scope_of
from fupin.audit.services import Action, diff, entry_for, record_many, snapshot
from fupin.regions.codes import Level
from fupin.regions.models import Region

from .models import VillageQuota

QUOTA_MAX = 100000


def _quota_value(raw, label: str) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if not text.isdigit() or int(text) > QUOTA_MAX:
        raise ValidationError(f"{label}的识别规模“{raw}”应为 0–{QUOTA_MAX} 的整数")
    return int(text)


@transaction.atomic
def village_quotas_set(*, actor, year: int, quotas: dict, note: str = "") -> dict[str, VillageQuota | None]:
    """Set (or, with an empty value, remove) the quota of several villages for a round.

    Only a county approver (县级审批员), for villages in their scope. `quotas`: {village code: n}.
    Set-based: three queries and one batch of audit rows whatever the number of villages."""
    if getattr(actor, "role", None) != Role.COUNTY_APPROVER:
        raise PermissionDenied("识别规模须由县级审批员设定")
    scope = scope_of(actor)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [f"年度“{year}”无效"]}) from None
    note = str(note or "").strip()[:200]
    codes = [str(c).strip() for c in quotas]
    villages = {r.code: r for r in Region.objects.filter(in_code_range("code", scope.codes), code__in=codes,
                                                         level=Level.VILLAGE)}
    errors: dict[str, list[str]] = {}
    values: dict[str, int | None] = {}
    for code, raw in zip(codes, quotas.values(), strict=True):
        if code not in villages:
            errors.setdefault("quotas", []).append(f"行政村“{code}”不存在或不在您的管辖范围内")
            continue
        try:
            values[code] = _quota_value(raw, villages[code].name)
        except ValidationError as exc:
            errors.setdefault("quotas", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    existing = {q.village_id: q for q in VillageQuota.objects.select_for_update().filter(
        village_id__in=list(values), year=year)}
    created, updated, removed, entries = [], [], [], []
    result: dict[str, VillageQuota | None] = {}
    for code, value in values.items():
        current = existing.get(code)
        if value is None:
            if current is not None:
                removed.append(current)
                entries.append(entry_for(current, action=Action.DELETE, region_code=code, before=snapshot(current)))
            result[code] = None
        elif current is None:
            q = VillageQuota(village_id=code, year=year, quota=value, note=note, set_by_id=actor.pk,
                             set_by_name=actor.username)
            created.append(q)
            result[code] = q
        elif current.quota != value or (note and current.note != note):
            before = snapshot(current)
            current.quota, current.set_by_id, current.set_by_name = value, actor.pk, actor.username
            current.note, current.set_at = note or current.note, timezone.now()
            updated.append((current, before))
            result[code] = current
        else:
            result[code] = current
    if removed:
        VillageQuota.objects.filter(pk__in=[q.pk for q in removed]).delete()
    if created:
        VillageQuota.objects.bulk_create(created)
        entries += [entry_for(q, action=Action.CREATE, region_code=q.village_id, after=snapshot(q)) for q in created]
    if updated:
        VillageQuota.objects.bulk_update([q for q, _ in updated], fields=["quota", "note", "set_by_id", "set_by_name",
                                                                          "set_at"])
        for q, before in updated:
            changed_before, changed_after = diff(before, snapshot(q))
            entries.append(entry_for(q, action=Action.UPDATE, region_code=q.village_id, before=changed_before,
                                     after=changed_after))
    record_many(actor=actor, entries=entries)
    return result


def village_quota_set(*, actor, village_code: str, year: int, quota, note: str = "") -> VillageQuota | None:
    """One village's quota (see village_quotas_set)."""
    return village_quotas_set(actor=actor, year=year, quotas={village_code: quota}, note=note)[village_code]
