"""What the two credit commands share: the --region/--on options and the text tables."""




def add_options(parser) -> None:
    parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），统计其下所有贷款")
    parser.add_argument("--on", default=None, help="统计日期（YYYY-MM-DD，默认今天）")


def on_option(command, options):
    return command.date_option(options)


def rate(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def policy_lines(policy: list[dict]) -> list[str]:
    return [f"  {p['key']} = {p['value']}（区划 {p['region_code']}，{p['year_from']} 年起；{p['source']}）" for p in policy]
