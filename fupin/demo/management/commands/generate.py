from fupin.core.commands import ReportCommand
from fupin.demo.generator import DEFAULT_YEARS, DemoError
from fupin.demo.scale import ScaleError, generate_region
from fupin.demo.text import table


class Command(ReportCommand):
    help = ("在一个省、市或县下批量生成建档立卡数据（乡镇和村、户、成员、各年度数据、户状态变更、帮扶责任人），"
            "按演示数据的校准生成，同一随机种子生成相同数据；每个县一个事务，已有数据的县跳过（中断后重跑即可续做）")
    requires_system_checks = []  # a data generator: the URL and model checks only delay it

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True,
                            help="省、市或县级区划代码（6 或 12 位），如 610000（陕西省）、610900（安康市）、610926（平利县）")
        parser.add_argument("--persons", type=int, required=True, help="总人数，按随机权重分到各县，合计恰为此数")
        parser.add_argument("--seed", type=int, default=2014, help="随机种子（默认 2014）")
        parser.add_argument("--years", default=DEFAULT_YEARS, metavar="YYYY-YYYY",
                            help=f"生成年度数据的年份范围（默认 {DEFAULT_YEARS}；除最后一年外均固化）")
        parser.add_argument("--registry-only", action="store_true",
                            help="只生成建档立卡数据，不生成结对帮扶、帮扶计划、项目资金、小额信贷、监测对象和走访记录")

    def handle(self, *args, **options):
        persons = options["persons"]
        try:
            with self.progress(total=max(persons, 0), desc="生成建档立卡数据", options=options) as bar:
                bar.unit = "人"
                stats = generate_region(region_code=options["region"], persons=persons, seed=options["seed"],
                                        years=options["years"], registry_only=options["registry_only"],
                                        progress=bar.update)
        except (ScaleError, DemoError) as exc:
            generated = getattr(exc, "generated", 0)
            self.fail({"error": str(exc), "counties_generated": generated},
                      f"{'生成中止' if generated else '未生成'}：{exc}", options=options)
            return
        self.report(stats, summary_text(stats), options=options)


def summary_text(s: dict) -> str:
    rows = [[c["county_name"], c["county"][:6], "跳过" if c.get("skipped") else f"{c['households']:,}",
             "" if c.get("skipped") else f"{c['persons']:,}",
             c.get("reason", "") if c.get("skipped") else
             f"新建村 {c['villages_created']}" if c["villages_created"] else f"已有村 {c['villages']}"]
            for c in s["counties"]]
    span = f"{s['years'][0]}–{s['years'][-1]}" if len(s["years"]) > 1 else str(s["years"][0])
    lines = [
        f"已在{s['region_name']}（{s['region'][:6]}）生成建档立卡数据（随机种子 {s['seed']}，年度 {span}）：",
        table(["县", "代码", "户数", "人数", "说明"], rows, indent="  "),
        f"合计：{s['counties_generated']} 个县，{s['households']:,} 户，{s['persons']:,} 人，"
        f"成员年度数据 {s['member_years']:,} 条，户年度数据 {s['household_years']:,} 条，"
        f"户状态变更 {s['status_events']:,} 条，帮扶责任人 {s['cadres']:,} 名，"
        f"新建乡镇 {s['townships_created']:,} 个、村 {s['villages_created']:,} 个",
    ]
    if s["counties_skipped"]:
        lines.append(f"跳过 {s['counties_skipped']} 个已有数据的县")
    if s["counties_without_persons"]:
        lines.append(f"{s['counties_without_persons']} 个县未分到人数（总人数少于县数）")
    lines.append(f"用时 {s['elapsed_seconds']} 秒，每秒 {s['persons_per_second'] or 0:,} 人")
    return "\n".join(lines)
