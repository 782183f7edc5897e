"""What a benchmark job is given, and what it gives back."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class JobContext:
    """One job's run: the database it runs on (DATABASE_URL of the process), the generated data and
    a scratch directory. Jobs run in their own process, so the runner can read each one's peak memory."""

    vendor: str          # "postgresql" or "sqlite" (django.db.connection.vendor)
    persons: int         # persons the dataset was generated with (this scale)
    scale: int           # 1, 2 or 4 (× the base size)
    region_code: str     # 12-digit code of the province the dataset was generated under
    county_code: str     # 12-digit code of one generated county (for county-level jobs)
    year: int            # the last generated year (assessed, rolled up)
    seed: int
    workdir: Path        # scratch files of this backend and scale (csv, xlsx, parquet, rosters)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["workdir"] = str(self.workdir)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> JobContext:
        return cls(**{**d, "workdir": Path(d["workdir"])})


def timed_result(*, job: str, seconds: float, rows: int, unit: str, reference: str, reference_seconds: float,
                 target_ratio: float | None, checked: bool | None, detail: dict | None = None) -> dict:
    """The common shape of a job's result. `ratio` is always our time over the reference's time on the
    same rows (lower is better; 2.0 = half the reference's throughput); `target_ratio` the most the
    target allows (None: measured, no target); `checked` whether our result equals the reference's
    (None: not comparable)."""
    ratio = seconds / reference_seconds if reference_seconds > 0 else None
    return {
        "job": job, "seconds": round(seconds, 4), "rows": rows, "unit": unit,
        "throughput": round(rows / seconds, 1) if seconds > 0 else None,
        "reference": {"name": reference, "seconds": round(reference_seconds, 4),
                      "throughput": round(rows / reference_seconds, 1) if reference_seconds > 0 else None},
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target_ratio": target_ratio,
        "target_met": (ratio is not None and ratio <= target_ratio) if target_ratio is not None else None,
        "checked": checked,
        "detail": detail or {},
    }
