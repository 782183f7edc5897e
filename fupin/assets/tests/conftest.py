import pytest

from fupin.funds.tests.helpers import TODAY


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.FUPIN_TODAY = TODAY
