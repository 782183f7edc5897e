"""What the two credit commands share: the --region/--on options and the text tables."""

from django.core.exceptions import ValidationError

from fupin.core.clock import today
from fupin.registry.validation import parse_date


def add_options(parser) -> None:
    parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），统计其下所有贷款")
    parser.add_argument("--on", default=None, help="统计日期（YYYY-MM-DD，默认今天）")


def on_option(command, options):
    if not options["on"]:
        return today()
    try:
        return parse_date(options["on"], label="--on 日期")
    except ValidationError as exc:
        message = "；".join(exc.messages)
        command.fail({"error": message}, message, options=options)


def rate(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def policy_lines(policy: list[dict]) -> list[str]:
    return [f"  {p['key']} = {p['value']}（区划 {p['region_code']}，{p['year_from']} 年起；{p['source']}）" for p in policy]
