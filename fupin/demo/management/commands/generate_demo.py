from decimal import Decimal

from django.db import transaction

from fupin.assessment.demo import generate_assessment_demo
from fupin.assets.demo import generate_assets_demo
from fupin.core.clock import today
from fupin.core.commands import ReportCommand
from fupin.credit.demo import generate_credit_demo
from fupin.crosscheck.demo import generate_crosscheck_demo
from fupin.demo.generator import DEFAULT_YEARS, REFERENCE_HOUSEHOLDS, DemoError, generate_county
from fupin.demo.text import table
from fupin.exits.demo import generate_region_data
from fupin.funds.demo import generate_funds_demo
from fupin.helpers.demo import generate_helper_demo
from fupin.identification.demo import generate_procedure_demo
from fupin.ledger.demo import generate_ledger_demo
from fupin.monitoring.demo import generate_monitoring_demo
from fupin.plans.demo import generate_plan_demo
from fupin.visits.demo import generate_visit_demo


class Command(ReportCommand):
    help = ("为一个县生成演示用建档立卡数据（户、成员、各年度数据、户状态变更、帮扶责任人、审计日志），"
            "按平利县实际数据校准，同一随机种子生成相同数据；除最后一年外各年度数据固化；"
            "需先导入该县的乡镇和村，该县已有数据时拒绝执行")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--county", required=True, help="县级区划代码（6 位或 12 位），如 610926")
        parser.add_argument("--households", type=int, default=REFERENCE_HOUSEHOLDS,
                            help=f"户数（默认 {REFERENCE_HOUSEHOLDS}，即平利县建档立卡户数）")
        parser.add_argument("--seed", type=int, default=2014, help="随机种子（默认 2014）")
        parser.add_argument("--years", default=DEFAULT_YEARS, metavar="YYYY-YYYY",
                            help=f"生成年度数据的年份范围（默认 {DEFAULT_YEARS}；除最后一年外均固化）")
        parser.add_argument("--registry-only", action="store_true",
                            help="只生成建档立卡数据，不生成退出评估数据、帮扶力量、识别退出案件和走访记录")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():  # all or nothing: the registry and what is done around it
                with self.progress(total=options["households"], desc="生成演示数据", options=options) as bar:
                    stats = generate_county(county_code=options["county"], households=options["households"],
                                            seed=options["seed"], years=options["years"], progress=bar.update)
                if not options["registry_only"]:
                    self.activity(stats, options)
        except DemoError as exc:
            self.fail({"error": str(exc)}, f"未生成任何数据：{exc}", options=options)
            return
        self.report(stats, summary_text(stats), options=options)

    def activity(self, stats: dict, options: dict) -> None:
        county, seed, last = options["county"], options["seed"], stats["years"][-1]
        on = today()
        # What is done around the registry, as of the business date: exit evidence (乡村人口,
        # 村基础设施, 抽查样本) for every year, helpers and teams, procedures, visits.
        stats["exit_evidence"] = [
            generate_region_data(county_code=county, year=year, seed=seed,
                                 poor_village_codes=stats["poor_village_codes"]) for year in stats["years"]]
        stats["helpers"] = generate_helper_demo(county_code=county, year=last, seed=seed,
                                                poor_village_codes=stats["poor_village_codes"])
        stats["plans"] = generate_plan_demo(county_code=county, year=last, seed=seed)
        stats["procedures"] = generate_procedure_demo(county_code=county, year=last, on=on, seed=seed)
        stats["visits"] = generate_visit_demo(county_code=county, on=on, seed=seed)
        # Recorded by the county approver account the procedures demo created.
        stats["credit"] = generate_credit_demo(county_code=county, on=on, seed=seed)
        stats["funds"] = generate_funds_demo(county_code=county, year=last, on=on, seed=seed)
        stats["assets"] = generate_assets_demo(county_code=county, year=last, seed=seed)
        # Department rosters and their suspects, then the monitoring cases (whose screening reads the
        # medical and disaster rosters) and the problems followed in the ledger.
        stats["crosscheck"] = generate_crosscheck_demo(county_code=county, on=on, seed=seed)
        stats["monitoring"] = generate_monitoring_demo(county_code=county, year=last, on=on, seed=seed)
        stats["ledger"] = generate_ledger_demo(county_code=county, on=on, seed=seed)
        stats["assessment"] = generate_assessment_demo(county_code=county, years=stats["years"], seed=seed)


def summary_text(s: dict) -> str:
    def breakdown(title: str, rows: list[dict]) -> str:
        return table([title, "户数", "占比"], [[r["label"], f"{r['households']:,}", f"{r['share']:.1%}"] for r in rows],
                     indent="  ")

    span = f"{s['years'][0]}–{s['years'][-1]}" if len(s["years"]) > 1 else str(s["years"][0])
    counts = table(["项目", "数量", "说明"], [
        ["户数", f"{s['households']:,}", ""],
        ["人数", f"{s['persons']:,}", f"户均 {s['persons_per_household']} 人"],
        ["行政村", f"{s['villages']:,}", f"其中 {s['villages_with_households']} 个村有贫困户"],
        ["贫困村", f"{s['poor_villages']:,}", f"共 {s['poor_village_households']:,} 户"],
        ["帮扶责任人", f"{s['cadres']:,}", f"每人结对不超过 {s['max_households_per_cadre']} 户；账户不可登录"],
        ["离开成员", f"{s['left_members']:,}", "死亡或婚出，保留记录并注明减少日期和原因"],
        ["户年度数据", f"{s['household_years']:,}", f"{span} 年"],
        ["成员年度数据", f"{s['member_years']:,}", "每年年末在户成员各一条"],
        ["户状态变更", f"{s['status_events']:,}", "建档立卡、脱贫退出、监测、返贫、清退、自然减少"],
        ["审计日志", f"{s['audit_rows']:,}",
         "每户一条（含成员、年度数据和状态变更），每名帮扶责任人、每个固化年度各一条，另有汇总一条"],
    ], indent="  ")
    years = table(["年度", "扶贫标准", "户数", "人数", "人均纯收入均值", "低于标准户", "危房户", "搬迁户", "务工人数", "固化"],
                  [[str(y["year"]), f"{y['poverty_line']:,}", f"{y['households']:,}", f"{y['persons']:,}",
                    f"{y['per_capita_income_mean']:,.0f}", f"{y['below_line']:,}", f"{y['dangerous_housing']:,}",
                    f"{y['relocated']:,}", f"{y['migrant_workers']:,}", "已固化" if y["frozen"] else "可编辑"]
                   for y in s["by_year"]], indent="  ")
    return "\n\n".join([
        f"已生成{s['county_name']}（{s['county'][:6]}）演示数据（随机种子 {s['seed']}，"
        f"年度 {span}）：",
        counts,
        years,
        breakdown("主要致贫原因", s["by_cause"]),
        breakdown("户状态", s["by_status"]),
        breakdown("贫困户属性", s["by_attribute"]),
        *activity_lines(s),
        f"用时 {s['elapsed_seconds']} 秒",
    ])


def activity_lines(s: dict) -> list[str]:
    if "helpers" not in s:
        return []
    h, p, v = s["helpers"], s["procedures"], s["visits"]
    c, m, g = s["crosscheck"], s["monitoring"], s["ledger"]
    return [
        "退出评估数据（乡村人口、村基础设施和公共服务、抽查样本）：" + "；".join(
            f"{e['year']} 年 {e['villages']} 个村，乡村人口 {e['rural_population']:,}，抽查样本 {sum(e['samples'].values())} 条"
            for e in s["exit_evidence"]),
        f"结对帮扶：贫困村 {h['poor_villages']} 个，帮扶单位 {h['units']} 个，驻村工作队 {h['teams']} 支"
        f"（队员 {h['team_members']} 人），帮扶责任人档案 {h['cadre_profiles']:,} 份，结对记录 {h['assignments']:,} 条",
        f"一户一策：帮扶计划 {s['plans']['plans']:,} 份（措施 {s['plans']['measures']:,} 项，已完成 "
        f"{s['plans']['completed_measures']:,} 项）；演示用措施雷同村 {len(s['plans']['copied_villages'])} 个、矛盾措施 "
        f"{len(s['plans']['contradictions'])} 项",
        f"识别与退出程序（截至 {p['on']}）：识别申请 {p['identification']['cases']} 件，退出 {p['exit']['cases']} 件，"
        f"公示公告 {p['notices']} 份（公示中 {p['running_notices']} 份）",
        f"项目资金：资金来源 {s['funds']['sources']} 项、下达 {s['funds']['allocations']} 笔、项目 {s['funds']['projects']} 个，"
        f"安排 {Decimal(s['funds']['funded']):,.2f} 元、拨付 {Decimal(s['funds']['paid']):,.2f} 元",
        f"扶贫小额信贷：评级授信 {s['credit']['ratings']:,} 户，贷款 {s['credit']['loans']:,} 笔，"
        f"金额 {Decimal(s['credit']['amount']):,.2f} 元",
        f"走访记录：{v['visits']:,} 条，涉及 {v['households']:,} 户、{v['cadres']:,} 名帮扶责任人，"
        f"待办跟进事项 {v['open_follow_ups']} 件",
        f"大数据比对：部门数据 {len(c['rosters'])} 份共 {c['rows']:,} 行，疑点 {c['suspects']:,} 条",
        f"防止返贫监测：监测对象 {m['cases']:,} 户（帮扶中 {m['assisted']:,}，风险已消除 {m['eliminated']}，"
        f"自然消除 {m['naturally_eliminated']}），帮扶措施 {m['measures']:,} 项",
        f"问题台账：{g['items']} 个问题（逾期 {g['overdue']} 个），其中比对疑点 {g['suspects_on_ledger']} 个",
        f"考核评估：减贫任务 {s['assessment']['targets']} 条（{'、'.join(map(str, s['assessment']['years']))} 年，县和乡镇）",
    ]
