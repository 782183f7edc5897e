import pytest

from .helpers import TODAY


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.FUPIN_TODAY = TODAY
