"""`fupin fund_report --region CODE --year Y [--json]`: funds of a year under a region (资金报表).

已下达 (allocations that entered the region), 已拨付 and the rate; project funds and payments by
place; per child region (with a 本级 row), per fund source (统筹整合 kept under its source), and
totals by source kind and by the level holding the source.
"""

from fupin.core.commands import ReportCommand
from fupin.funds.selectors import region_funds_in_region


def _pct(r) -> str:
    return "—" if r is None else f"{r:.2%}"


class Command(ReportCommand):
    help = "扶贫资金报表：按下级区划、资金来源、资金类别和层级统计下达、拨付和拨付率"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--year", required=True, type=int, help="资金年度")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        r = region_funds_in_region(region_code=region.code, year=year)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                "year": year, "total": r["total"].as_dict(),
                "children": [{"code": c["code"], "name": c["name"], "own_level": c["own_level"],
                              **c["figures"].as_dict()} for c in r["children"]],
                "sources": [{k: v for k, v in s.items() if k != "figures"} | s["figures"].as_dict()
                            for s in r["sources"]],
                "by_kind": r["by_kind"], "by_level": r["by_level"]}
        t = r["total"]
        lines = [f"{region.name}（{region.code}）{year} 年扶贫资金",
                 f"已下达 {t.allocated:,.2f} 元，已拨付 {t.paid:,.2f} 元，拨付率 {_pct(t.rate)}；"
                 f"项目资金 {t.funded:,.2f} 元，项目拨付 {t.project_paid:,.2f} 元，项目拨付率 {_pct(t.project_rate)}",
                 "", "按下级区划："]
        lines += [f"  {c['name']}（{c['code']}）下达 {c['figures'].allocated:,.2f}，拨付 {c['figures'].paid:,.2f}，"
                  f"拨付率 {_pct(c['figures'].rate)}" for c in r["children"]]
        lines += ["", "按资金类别："]
        lines += [f"  {k['label']}：下达 {k['allocated']:,.2f}，拨付 {k['paid']:,.2f}，拨付率 {_pct(k['rate'])}"
                  for k in r["by_kind"]]
        lines += ["", "按资金层级："]
        lines += [f"  {k['label']}级资金：下达 {k['allocated']:,.2f}，拨付 {k['paid']:,.2f}，拨付率 {_pct(k['rate'])}"
                  for k in r["by_level"]]
        self.report(data, "\n".join(lines), options=options)
