"""`fupin asset_report --region CODE --year Y [--json]`: asset income under a region (资产收益报表).

Each asset's book value, the year's income, retained and distributed amounts and the income rate
against `assets.target_income_rate` (the policy row named); coverage of poor households by asset
income per village and for the region.
"""

from fupin.assets.selectors import region_assets_in_region
from fupin.core.commands import ReportCommand


def _pct(r) -> str:
    return "—" if r is None else f"{r:.2%}"


class Command(ReportCommand):
    help = "资产收益扶贫报表：资产收益率（对照目标）和贫困户收益覆盖率"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--year", required=True, type=int, help="年度")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        r = region_assets_in_region(region_code=region.code, year=year)
        c = r["coverage"]
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                "year": year, "book_value": r["book_value"], "gross_income": r["gross_income"],
                "retained": r["retained"], "distributed": r["distributed"], "below_target": r["below_target"],
                "assets": [f.as_dict() for f in r["assets"]], "coverage": c}
        lines = [f"{region.name}（{region.code}）{year} 年资产收益扶贫",
                 f"资产 {len(r['assets'])} 项，账面价值 {r['book_value']:,.2f} 元；年收益 {r['gross_income']:,.2f} 元，"
                 f"村集体留存 {r['retained']:,.2f} 元，分配到户 {r['distributed']:,.2f} 元；收益率低于目标 {r['below_target']} 项",
                 f"贫困户 {c['poor']} 户，有资产收益 {c['covered']} 户，覆盖率 {_pct(c['rate'])}", "", "资产："]
        lines += [f"  {f.asset.name}（{f.asset.get_kind_display()}，{f.asset.region_id}）账面 {f.asset.book_value:,.2f}，"
                  f"收益率 {f.rate_text}，目标 {f.target:.2%}{'  ← 低于目标' if f.below_target else ''}"
                  for f in r["assets"]]
        lines += ["", "按村覆盖："]
        lines += [f"  {v['name']}（{v['code']}）贫困户 {v['poor']}，有收益 {v['covered']}，覆盖率 {_pct(v['rate'])}"
                  for v in c["villages"]]
        self.report(data, "\n".join(lines), options=options)
