from fupin.conftest import make_household


def test_lists_do_not_query_per_row(api, users, households, django_assert_max_num_queries):
    client = api("county")
    for i in range(10):
        make_household(f"610926100001{100 + i:03d}", "610926100001", helper=users["cadre"], head=f"赵{i}")
    # token lookup + token touch + count + page; the same whatever the number of rows
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/households")
    assert r.json()["count"] == 13
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/households/{households['b1'].pk}").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/regions/610926000000").status_code == 200
    root = api("root")
    with django_assert_max_num_queries(6):
        assert root.get("/api/v1/users").json()["count"] == len(users)
