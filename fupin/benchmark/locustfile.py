"""Load for the API latency benchmark (run by jobs/latency.py as `locust -f … --headless`).

Each simulated user is a person at a county office: a logged-in API client (its own token of the
benchmark's county account) who opens household pages, now and then searches, and thinks between
requests. The plan (tokens, households, search terms) is a JSON file named by FUPIN_LATENCY_PLAN,
written by the job. Responses are checked, not only timed: a detail page must be the household
asked for, a search must find the household the term was taken from, the reference must be the
account itself — anything else counts as a failure.

Never imported by the test suite (locust is a benchmark-only dependency).
"""

import itertools
import json
import os
import random
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

PLAN = json.loads(Path(os.environ["FUPIN_LATENCY_PLAN"]).read_text(encoding="utf-8"))
THINK_MIN, THINK_MAX = PLAN["think_time"]
WEIGHTS = PLAN["weights"]
_next_token = itertools.count()


class CountyClerk(FastHttpUser):
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        token = PLAN["tokens"][next(_next_token) % len(PLAN["tokens"])]
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    @task(WEIGHTS["household_detail"])
    def household_detail(self):
        hid = random.choice(PLAN["households"])
        with self.client.get(f"/api/v1/households/{hid}", name="household_detail", headers=self.headers,
                             catch_response=True) as r:
            body = r.json() if r.status_code == 200 else {}
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif body.get("id") != hid or not isinstance(body.get("members"), list):
                r.failure(f"household {hid}: wrong body")

    @task(WEIGHTS["household_search"])
    def household_search(self):
        q = random.choice(PLAN["searches"])
        with self.client.get(f"/api/v1/households?{urlencode({'q': q})}", name="household_search",
                             headers=self.headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif not r.json().get("count"):
                r.failure(f"search {q!r}: nothing found")

    @task(WEIGHTS["reference"])
    def reference(self):
        with self.client.get(PLAN["reference_path"], name="reference", headers=self.headers,
                             catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif r.json().get("username") != PLAN["username"]:
                r.failure("reference: wrong account")
