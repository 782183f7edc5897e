"""Today's business date (业务日期): the default of every `on=` date in services and pages.

Normally the local date. `settings.FUPIN_TODAY` pins it, so the demo — whose registry ends in
2020 — shows what was due, overdue or in its notice period at the end of its last year.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def today() -> date:
    pinned = getattr(settings, "FUPIN_TODAY", "")
    if not pinned:
        return timezone.localdate()
    try:
        return date.fromisoformat(pinned)
    except ValueError:
        raise ImproperlyConfigured(f"FUPIN_TODAY“{pinned}”不是有效日期（应为 YYYY-MM-DD）") from None
