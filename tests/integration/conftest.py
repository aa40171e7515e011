import pytest


@pytest.fixture
def settings_media(settings, tmp_path):
    """Settings with MEDIA_ROOT in the test's own folder (pass it to the worker)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings
