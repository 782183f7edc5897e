"""API test helpers; the `anon` and `api` client fixtures are in fupin/conftest.py."""


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
