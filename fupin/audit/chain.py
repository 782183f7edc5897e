"""The hash chain: how one audit row's hash is computed. Used by the writer and the verifier."""

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "at", "actor_id", "actor_name", "ip", "action", "object_type", "object_id",
                 "object_repr", "region_code", "before", "after", "prev_hash")


def canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(values: dict) -> str:
    payload = {name: values[name] for name in HASHED_FIELDS}
    payload["at"] = canonical_at(payload["at"])
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
