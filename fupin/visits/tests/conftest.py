import pytest


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded photos go to a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
