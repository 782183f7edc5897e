"""Changes to the visit log. Each is one transaction, keyword-only, audited in the same transaction.

Scope comes from the gates (`household_access`, `visit_access`: 404 outside scope, so a cadre
cannot record or open visits of another cadre's household), rights from `rules.py` (403),
input checks raise ValidationError per field in Chinese — and then nothing is written, photo
included: the photo is checked before anything is stored and removed again if the write fails.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.audit.services import Action, diff, entry_for, record, snapshot
from fupin.core.clock import today
from fupin.core.uploads import check_upload, discard, store
from fupin.policy.selectors import resolve_many
from fupin.registry.models import Household
from fupin.registry.selectors import household_access
from fupin.registry.validation import clean_values_partial, parse_date

from .choices import CLOSED_STATUSES, PHOTO_MAX_MB_KEY, PHOTO_TYPES_KEY
from .models import Visit
from .rules import CADRE, ON_BEHALF, may_close_follow_up, may_edit, record_mode
from .selectors import household_registered_on, visit_access

INPUT_FIELDS = ("visited_on", "kind", "content", "problems", "follow_up", "follow_up_due", "follow_up_done",
                "on_behalf_note")
PHOTO_LABEL = "走访照片"


def _clean(data: dict, *, current: dict, mode: str, registered_on: date, today: date) -> dict:
    """Clean `data` over the `current` values (a new visit: the defaults) and check the fields
    together. Returns every input field's final value; raises ValidationError per field."""
    cleaned, errors = clean_values_partial(Visit, dict(data or {}), fields=INPUT_FIELDS)
    values = {**current, **cleaned}
    if "visited_on" not in errors:
        day = values["visited_on"]
        if day is None:
            errors["visited_on"] = ["走访日期不能为空"]
        elif day > today:
            errors["visited_on"] = [f"走访日期（{day:%Y-%m-%d}）不能晚于今天"]
        elif day < registered_on:
            errors["visited_on"] = [f"走访日期（{day:%Y-%m-%d}）不能早于该户建档日期（{registered_on:%Y-%m-%d}）"]
    if "content" not in errors and not values["content"]:
        errors["content"] = ["走访内容不能为空"]
    if not values["follow_up"]:
        if values["follow_up_due"] is not None and "follow_up_due" not in errors:
            errors["follow_up_due"] = ["填写了跟进期限，请同时填写措施和跟进事项"]
        values["follow_up_done"] = False
    elif (values["follow_up_due"] is not None and values["visited_on"] is not None
          and "follow_up_due" not in errors and "visited_on" not in errors
          and values["follow_up_due"] < values["visited_on"]):
        errors["follow_up_due"] = [f"跟进期限（{values['follow_up_due']:%Y-%m-%d}）不能早于走访日期"]
    if mode == ON_BEHALF:
        if "on_behalf_note" not in errors and not values["on_behalf_note"]:
            errors["on_behalf_note"] = ["代录走访记录须填写代录说明（如：帮扶责任人电话告知、纸质记录补录）"]
    else:
        values["on_behalf_note"] = ""
    if errors:
        raise ValidationError(errors)
    if values["follow_up_done"]:
        values["follow_up_done_on"] = current.get("follow_up_done_on") or today
    else:
        values["follow_up_done_on"] = None
    return values


def _check_photo(photo, *, year: int, village_code: str):
    """The checked photo (or None); ValidationError({"photo": [...]}) in Chinese before anything is written."""
    if not photo:
        return None
    limits = resolve_many([PHOTO_MAX_MB_KEY, PHOTO_TYPES_KEY], year=year, region_code=village_code)
    try:
        return check_upload(photo, max_mb=limits[PHOTO_MAX_MB_KEY].value, allowed=limits[PHOTO_TYPES_KEY].value,
                            label=PHOTO_LABEL)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from None


def _store_photo(visit: Visit, checked, written: list[str]) -> None:
    name, created = store(checked, folder=f"visits/{visit.visited_on.year}/{visit.household_id}")
    if created:
        written.append(name)
    visit.photo = name
    visit.photo_name = checked.name
    visit.photo_type = checked.content_type
    visit.photo_size = checked.size
    visit.photo_sha256 = checked.sha256


DEFAULTS = {"visited_on": None, "kind": "home", "content": "", "problems": "", "follow_up": "",
            "follow_up_due": None, "follow_up_done": False, "on_behalf_note": ""}


@transaction.atomic
def visit_create(*, actor, household_id: int, data: dict, photo=None) -> Visit:
    """Record a visit (走访). A cadre records for their own households; a clerk, township reviewer
    or county approver may record on behalf of the household's helper, with `on_behalf_note`.
    `data`: visited_on (default today), kind (code or label), content, problems, follow_up,
    follow_up_due, follow_up_done, on_behalf_note. `photo`: an uploaded file or None."""
    household: Household = household_access(actor, household_id)
    mode = record_mode(actor, household)
    if mode is None:
        raise PermissionDenied("您的角色无权记录走访")
    errors = {}
    if household.status in CLOSED_STATUSES:
        errors["household"] = [f"{household}已{household.get_status_display().lstrip('已')}，不能再记录走访"]
    elif mode == ON_BEHALF and household.helper_id is None:
        errors["cadre"] = [f"{household}尚未结对帮扶责任人，不能代录走访记录"]
    if errors:
        raise ValidationError(errors)
    current = today()
    data = dict(data or {})
    if data.get("visited_on") in (None, ""):
        data["visited_on"] = current
    values = _clean(data, current=DEFAULTS, mode=mode, registered_on=household_registered_on(household), today=current)
    checked = _check_photo(photo, year=values["visited_on"].year, village_code=household.village_id)
    visit = Visit(household=household, village_id=household.village_id, recorded_by=actor,
                  cadre_id=actor.pk if mode == CADRE else household.helper_id, **values)
    written: list[str] = []
    try:
        if checked is not None:
            _store_photo(visit, checked, written)
        visit.save()
        record(actor=actor, entry=entry_for(visit, action=Action.CREATE, region_code=visit.village_id,
                                            after=snapshot(visit)))
    except BaseException:
        discard(written)
        raise
    return visit


@transaction.atomic
def visit_update(*, actor, visit_id: int, changes: dict, photo=None, remove_photo: bool = False) -> Visit:
    """Change a visit: only whoever recorded it may (403 otherwise); every change is audited with
    its before and after values. A new photo replaces the old one (the old file stays, for the audit
    trail); `remove_photo` detaches it."""
    visit = visit_access(actor, visit_id, for_update=True)
    if not may_edit(actor, visit):
        raise PermissionDenied("只有记录人可以修改这条走访记录")
    mode = CADRE if visit.recorded_by_id == visit.cadre_id else ON_BEHALF
    current = {name: getattr(visit, name) for name in INPUT_FIELDS}
    current["follow_up_done_on"] = visit.follow_up_done_on
    values = _clean(changes, current=current, mode=mode, registered_on=household_registered_on(visit.household),
                    today=today())
    checked = _check_photo(photo, year=values["visited_on"].year, village_code=visit.village_id)
    before = snapshot(visit)
    for name, value in values.items():
        setattr(visit, name, value)
    written: list[str] = []
    try:
        if checked is not None:
            _store_photo(visit, checked, written)
        elif remove_photo and visit.photo:
            visit.photo, visit.photo_name, visit.photo_type, visit.photo_size, visit.photo_sha256 = "", "", "", None, ""
        changed_before, changed_after = diff(before, snapshot(visit))
        changed_before.pop("updated_at", None)
        changed_after.pop("updated_at", None)
        if not changed_after:
            return visit
        visit.save()
        record(actor=actor, entry=entry_for(visit, action=Action.UPDATE, region_code=visit.village_id,
                                            before=changed_before, after=changed_after))
    except BaseException:
        discard(written)
        raise
    return visit


@transaction.atomic
def visit_follow_up_close(*, actor, visit_id: int, done_on=None) -> Visit:
    """Mark a visit's follow-up as done (跟进办结) on `done_on` (default today): the recorder or the
    household's current helper may."""
    visit = visit_access(actor, visit_id, for_update=True)
    if not visit.follow_up or visit.follow_up_done:
        raise ValidationError({"follow_up": ["这条走访记录没有待办结的跟进事项"]})
    if not may_close_follow_up(actor, visit):
        raise PermissionDenied("只有记录人或该户的帮扶责任人可以办结跟进事项")
    current = today()
    try:
        day = current if done_on in (None, "") else parse_date(done_on, label="办结日期")
    except ValidationError as exc:
        raise ValidationError({"done_on": exc.messages}) from None
    if day > current:
        raise ValidationError({"done_on": [f"办结日期（{day:%Y-%m-%d}）不能晚于今天"]})
    if day < visit.visited_on:
        raise ValidationError({"done_on": [f"办结日期（{day:%Y-%m-%d}）不能早于走访日期（{visit.visited_on:%Y-%m-%d}）"]})
    before = {"follow_up_done": False, "follow_up_done_on": None}
    visit.follow_up_done, visit.follow_up_done_on = True, day
    visit.save(update_fields=["follow_up_done", "follow_up_done_on", "updated_at"])
    record(actor=actor, entry=entry_for(visit, action=Action.UPDATE, region_code=visit.village_id,
                                        before=before, after={"follow_up_done": True,
                                                              "follow_up_done_on": day.isoformat()}))
    return visit
