import pytest
from rest_framework.test import APIClient

from fupin.accounts.services import api_token_create


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def api(users):
    """api("county") → an APIClient sending that persona's API token."""

    def _client(name: str) -> APIClient:
        _, key = api_token_create(user=users[name])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _client


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is a JSON error of the common shape with a Chinese message."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error["message"]
    if code is not None:
        assert error["code"] == code
    return error
