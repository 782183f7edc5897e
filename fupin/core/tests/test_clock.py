from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from fupin.core.clock import today


def test_today_is_the_local_date_unless_pinned(settings):
    settings.FUPIN_TODAY = ""
    assert today() == timezone.localdate()
    settings.FUPIN_TODAY = "2020-12-15"
    assert today() == date(2020, 12, 15)
    settings.FUPIN_TODAY = "2020-13-01"
    with pytest.raises(ImproperlyConfigured, match="FUPIN_TODAY"):
        today()


def test_every_default_date_goes_through_the_clock():
    """A page or service that took `timezone.localdate()` directly would ignore FUPIN_TODAY."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "tests" not in p.parts and p.name != "clock.py" and "timezone.localdate()" in p.read_text()]
    assert offenders == []
