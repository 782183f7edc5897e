"""The benchmark jobs: name → "module:function". Each function takes `ctx` (JobContext) as a
keyword argument and returns `context.timed_result(...)` (API latency returns its own shape)."""

JOBS = {
    "import_csv": "fupin.benchmark.jobs.importing:import_csv",
    "import_xlsx": "fupin.benchmark.jobs.importing:import_xlsx",
    "exit_assessment": "fupin.benchmark.jobs.assessment:exit_assessment",
    "province_rollup": "fupin.benchmark.jobs.rollup:province_rollup",
    "crosscheck": "fupin.benchmark.jobs.crosscheck:crosscheck",
    "api_latency": "fupin.benchmark.jobs.latency:api_latency",
}
