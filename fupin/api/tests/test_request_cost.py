"""What every request of the latency benchmark's mix costs in queries, pinned exactly: the token
lookup is one query (its last-used time is written at most once a minute), the household page two
more, the search a count and a page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.accounts.roles import ROLE_CAPS
from fupin.api.serializers import MeSerializer, RegionBriefSerializer


def _queries(client, path, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params, HTTP_ACCEPT="application/json")
    assert r.status_code == 200, r.content.decode()
    return len(ctx.captured_queries), r.json()


def test_benchmark_mix_query_counts(api, households):
    client = api("county")
    n, me = _queries(client, "/api/v1/me")
    assert n == 2 and me["username"] == "county"  # token lookup + first-use touch
    assert _queries(client, "/api/v1/me")[0] == 1  # touched within the minute: the lookup only
    n, body = _queries(client, f"/api/v1/households/{households['b1'].pk}")
    assert n == 3 and body["id"] == households["b1"].pk and len(body["members"]) == 3
    n, body = _queries(client, "/api/v1/households", q="李")
    assert n == 3 and body["count"] == 1
    n, body = _queries(client, "/api/v1/households", q="610926101001001")
    assert n == 3 and body["count"] == 1


def test_me_body_is_what_the_declared_fields_give(api, users):
    """MeSerializer writes its output directly; it must stay what DRF builds from its fields."""
    for name, user in users.items():
        body = api(name).get("/api/v1/me").json()
        region = RegionBriefSerializer(user.region).data
        caps = sorted(c for c in ROLE_CAPS.get(user.role, ()) if user.can(c))
        assert body == {"id": user.pk, "username": user.username, "full_name": user.full_name,
                        "role": user.role, "role_label": user.role_label, "region": dict(region),
                        "capabilities": caps}
        assert set(body) == set(MeSerializer().fields)
