"""Shared helpers of the ledger tests."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from fupin.ledger import services

TODAY = date(2020, 12, 15)
PDF = b"%PDF-1.4\n% ledger evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def pinned(day: date = TODAY):
    return override_settings(FUPIN_TODAY=day.isoformat())


def pdf(name: str = "整改报告.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_item(actor, *, household=None, region_code="610926100001", found_on=date(2020, 11, 1),
              deadline=date(2020, 12, 1), source="inspection", source_ref="", title="帮扶措施未落实", **kw):
    return services.item_create(actor=actor, source=source, region_code=region_code if household is None else "",
                                household_id=household.pk if household else None, title=title,
                                source_ref=source_ref, found_on=found_on, deadline=deadline, **kw)


def run_to(item, state, *, manager, rectifier, verifier=None, day=date(2020, 11, 10)):
    """Move `item` along the normal path up to `state` (all steps on `day`)."""
    verifier = verifier or manager
    if state == "open":
        return item
    services.item_start(actor=rectifier, item_id=item.pk, measures="入户核实并补录", on=day)
    if state == "rectifying":
        return item
    services.evidence_add(actor=rectifier, item_id=item.pk, files=[pdf()], on=day)
    services.item_submit(actor=rectifier, item_id=item.pk, on=day)
    if state == "submitted":
        return item
    services.item_verify(actor=verifier, item_id=item.pk, on=day)
    if state == "verified":
        return item
    services.item_close(actor=verifier, item_id=item.pk, on=day)
    return item
