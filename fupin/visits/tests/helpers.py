"""Shared by the visits tests: small image files and a shortcut for recording a visit."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.registry.choices import StatusChangeSource, StatusEventKind
from fupin.registry.models import HouseholdStatusEvent
from fupin.visits.services import visit_create

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def jpeg(name="走访.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def record(users, who: str, household, day: date, **data):
    photo = data.pop("photo", None)
    return visit_create(actor=users[who], household_id=household.pk, photo=photo,
                        data={"visited_on": day, "content": data.pop("content", "了解家庭收入情况"), **data})


def registered(household, day: date, *, status="not_exited") -> None:
    """Give a fixture household (made without history) its 建档 event on `day`."""
    HouseholdStatusEvent.objects.create(household=household, year=day.year, from_status="", to_status=status,
                                        kind=StatusEventKind.NEW, effective_on=day,
                                        source=StatusChangeSource.IDENTIFICATION, reason="建档立卡")


def files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
