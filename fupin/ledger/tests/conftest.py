import pytest


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FUPIN_TODAY = "2020-12-15"
    return tmp_path / "media"
