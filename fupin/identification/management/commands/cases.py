"""`fupin cases --region CODE [--procedure identification|exit] [--year Y] [--state S] [--json]`.

Identification and exit cases under a region, counted by the step they wait at (or how they
ended), and listed one per line. An administrator's tool: it sees the whole region; ID numbers
are printed masked.
"""

from fupin.accounts.masking import mask_id_number
from fupin.accounts.scope import in_code_range
from fupin.core.commands import ReportCommand
from fupin.identification.choices import CaseState, Procedure
from fupin.identification.models import Case
from fupin.regions.codes import InvalidCode, normalize_code, subtree_range
from fupin.regions.selectors import region_get


class Command(ReportCommand):
    help = "识别与退出案件：按当前步骤统计区划内的案件并逐件列出（证件号码脱敏）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--procedure", choices=Procedure.values, help="只看识别（identification）或退出（exit）")
        parser.add_argument("--year", type=int, help="只看该年度")
        parser.add_argument("--state", choices=CaseState.values, help="只看办理中（open）、已终止或已办结的案件")

    def handle(self, *args, **options):
        try:
            code = normalize_code(options["region"])
        except InvalidCode as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        region = region_get(code)
        if region is None:
            message = f"区划“{code}”不存在"
            self.fail({"error": message}, message, options=options)
        qs = Case.objects.filter(in_code_range("village_id", subtree_range(region.code))).select_related("village")
        for name in ("procedure", "year", "state"):
            if options.get(name):
                qs = qs.filter(**{name: options[name]})
        cases = list(qs.order_by("procedure", "-year", "village_id", "id"))
        groups: dict[tuple, dict] = {}
        rows = []
        for c in cases:
            step = c.current_step_name
            key = (c.procedure, c.year, c.state, c.current_step)
            group = groups.setdefault(key, {
                "procedure": c.procedure, "procedure_label": c.get_procedure_display(), "year": c.year,
                "state": c.state, "state_label": c.get_state_display(), "step": c.current_step, "step_name": step,
                "cases": 0})
            group["cases"] += 1
            rows.append({"id": c.pk, "procedure": c.procedure, "year": c.year, "village_code": c.village_id,
                         "village_name": c.village.name, "head_name": c.head_name,
                         "id_number": mask_id_number(c.id_number), "household_size": c.household_size,
                         "per_capita_income": c.per_capita_income, "state": c.state, "step": c.current_step,
                         "step_name": step, "household_id": c.household_id, "end_reason": c.end_reason})
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                "total": len(rows), "by_step": list(groups.values()), "cases": rows}
        self.report(data, self._text(region, data), options=options)

    def _text(self, region, data) -> str:
        lines = [f"{region.name}（{region.code}）识别与退出案件 {data['total']} 件", "", "程序        年度  状态    步骤  件数"]
        for g in data["by_step"]:
            lines.append(f"{g['procedure_label']}  {g['year']}  {g['state_label']}  {g['step_name'] or '—'}  {g['cases']}")
        if data["cases"]:
            lines += ["", "案件："]
        for c in data["cases"]:
            lines.append(f"#{c['id']} {c['year']} {c['village_name']} {c['head_name']}（{c['id_number']}）"
                         f" 人均 {c['per_capita_income'] if c['per_capita_income'] is not None else '—'} 元"
                         f" · {c['step_name'] or c['state']}" + (f" · {c['end_reason']}" if c["end_reason"] else ""))
        return "\n".join(lines)
