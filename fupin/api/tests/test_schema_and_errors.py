from pathlib import Path

import pytest

from .conftest import assert_error

API_DIR = Path(__file__).resolve().parent.parent

EXPECTED_PATHS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/regions/{code}": {"get"},
    "/api/v1/regions/{code}/children": {"get"},
    "/api/v1/households": {"get", "post"},
    "/api/v1/households/{household_id}": {"get", "patch"},
    "/api/v1/households/{household_id}/members": {"post"},
    "/api/v1/households/{household_id}/years": {"get"},
    "/api/v1/households/{household_id}/years/{year}": {"put"},
    "/api/v1/households/{household_id}/member-years": {"get"},
    "/api/v1/households/{household_id}/status-history": {"get"},
    "/api/v1/members/{member_id}": {"patch"},
    "/api/v1/members/{member_id}/years/{year}": {"put"},
    "/api/v1/users": {"get"},
    "/api/v1/users/{user_id}/disable": {"post"},
    "/api/v1/users/{user_id}/enable": {"post"},
    "/api/v1/users/{user_id}/unlock": {"post"},
    "/api/v1/audit/verify": {"get"},
}


@pytest.mark.django_db
def test_openapi_document_is_public_and_complete(anon):
    r = anon.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.oai.openapi+json")
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"].startswith("fupin")
    for path, methods in EXPECTED_PATHS.items():
        assert path in doc["paths"], path
        operations = {m: op for m, op in doc["paths"][path].items() if m in {"get", "post", "patch", "put", "delete"}}
        assert set(operations) == methods, path
        for op in operations.values():
            assert any("\u4e00" <= ch <= "\u9fff" for ch in op["summary"]), op["operationId"]
    assert "tokenAuth" in doc["components"]["securitySchemes"]
    assert "Error" in doc["components"]["schemas"]


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(anon, users):
    for path in ("/api/v1/nothing-here", "/api/v1/households/abc", "/api/v1/households/1/extra", "/api/v1/",
                 "/api/v1/households/1234567890123456789012"):
        assert assert_error(anon.get(path), 404, "not_found")["message"] == "接口不存在"


def test_wrong_method_is_json_405(api, households):
    r = api("county").delete(f"/api/v1/households/{households['a1'].pk}")
    assert assert_error(r, 405, "method_not_allowed")["message"] == "方法 “DELETE” 不被允许。"
    assert_error(api("county").get("/api/v1/auth/token"), 405)


def test_messages_stay_chinese_whatever_the_browser_asks(anon, users):
    r = anon.delete("/api/v1/auth/token", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert assert_error(r, 405)["message"] == "方法 “DELETE” 不被允许。"
    r = anon.post("/api/v1/auth/token", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(r, 400)["fields"]["username"] == ["该字段是必填项。"]


def test_huge_household_id_is_404_not_500(api, households):
    assert_error(api("county").get("/api/v1/households/999999999999999999"), 404)


def test_api_module_reads_only_through_selectors_and_services():
    needle = "." + "objects."
    offenders = [str(p.relative_to(API_DIR)) for p in API_DIR.rglob("*.py") if needle in p.read_text(encoding="utf-8")]
    assert offenders == []
