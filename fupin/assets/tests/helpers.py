"""Shared by the assets tests: an accepted project in 龙头村 that paid 100,000 and an asset from it."""

from fupin.assets.services import asset_create, share_set
from fupin.funds.services_projects import project_transition
from fupin.funds.tests.helpers import chain, pay


def accepted_project(users, *, paid="100000.00"):
    c = chain(users)
    pay(users, c["project"], c["line"], amount=paid, kind="company", name="光伏建设公司", item="工程款")
    project_transition(actor=users["county"], project_id=c["project"].pk, to_status="accepted", on="2020-10-01")
    c["project"].refresh_from_db()
    return c["project"]


def pv_asset(users, project, *, book_value="100000.00", household_ratio="0.155", **extra):
    data = {"project": project.pk, "name": "龙头村光伏电站", "kind": "光伏电站", "household_ratio": household_ratio,
            "formed_on": "2020-10-01", "operator": "村集体经济合作社", **extra}
    if book_value is not None:
        data["book_value"] = book_value
    return asset_create(actor=users["county"], data=data)


def give(users, asset, household, ratio, start="2020-01-01", end=None):
    return share_set(actor=users["county"], asset_id=asset.pk, household_id=household.pk, ratio=ratio,
                     start_on=start, end_on=end)
