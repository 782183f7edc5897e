import pytest

TODAY = "2021-06-30"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.FUPIN_TODAY = TODAY
