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
