"""`fupin crosscheck --dataset KIND FILE [--region CODE] [--as-of DATE] [--year Y] [--name N] [--department D]
[--user U] [--json]` — load a department roster and run its cross-check rules;
`fupin crosscheck --rerun ROSTER_ID [--year Y] [--json]` — run a loaded roster's rules again.

Prints the counts per rule and the suspects (ID numbers masked in the text; JSON carries the reasons and
inputs, masked unless --user names a role that sees ID numbers in lists). A refused file prints
{"ok": false, "error": …} and exits 1, nothing written. Progress on stderr.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.accounts.masking import mask_id_number
from fupin.core.clock import today
from fupin.core.commands import ReportCommand
from fupin.crosscheck.choices import DatasetKind
from fupin.crosscheck.models import Roster, Suspect
from fupin.crosscheck.rules import rule_title, rules_for
from fupin.crosscheck.selectors import roster_data, suspect_data
from fupin.crosscheck.services import roster_load, roster_rerun
from fupin.demo.text import table
from fupin.regions.codes import NATION_CODE
from fupin.registry.validation import parse_date

KINDS = "、".join(f"{v}（{label}）" for v, label in DatasetKind.choices)
LISTED = 200


class _System:
    """Masking for a run without --user: ID numbers always masked."""

    role = ""


class Command(ReportCommand):
    help = "大数据比对：导入部门数据（CSV/XLSX），按身份证号与建档立卡成员比对，列出疑点"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", nargs="?", help="数据文件（CSV：UTF-8 或 GBK；或 XLSX），须有“证件号码”列")
        parser.add_argument("--dataset", choices=DatasetKind.values, help=f"数据类别：{KINDS}")
        parser.add_argument("--region", default=NATION_CODE, help="数据覆盖的区划（默认全国 000000000000）")
        parser.add_argument("--as-of", dest="as_of", default=None, help="数据截止日期（YYYY-MM-DD，默认今天）")
        parser.add_argument("--year", type=int, default=None, help="比对的年度数据（默认截止日期所在年度）")
        parser.add_argument("--name", default="", help="数据集名称")
        parser.add_argument("--department", default="", help="提供部门")
        parser.add_argument("--user", default=None, help="以该用户身份导入（按其角色和管辖范围）")
        parser.add_argument("--rerun", type=int, default=None, help="重新比对已导入的数据集（ID）")

    def handle(self, *args, **options):
        actor = self.acting_user(options) if options["user"] else None
        if options["year"] is not None:
            self.year_option(options)
        try:
            if options["rerun"] is not None:
                if not Roster.objects.filter(pk=options["rerun"]).exists():
                    raise ValidationError({"rerun": [f"数据集 {options['rerun']} 不存在"]})
                roster = roster_rerun(actor=actor, roster_id=options["rerun"], year=options["year"])
            else:
                roster = self._load(actor, options)
        except ValidationError as exc:
            message = "；".join(exc.messages)
            self.fail({"error": message, "fields": getattr(exc, "message_dict", {})}, message, options=options)
        except (PermissionDenied, Http404) as exc:
            message = str(exc) or "无权执行此操作"
            self.fail({"error": message}, message, options=options)
        self._print(roster, actor, options)

    def _load(self, actor, options):
        if not options["dataset"] or not options["file"]:
            raise ValidationError({"dataset": [f"请指定 --dataset 数据类别（{KINDS}）和数据文件"]})
        region = self.region_option(options, must_exist=False)
        as_of = parse_date(options["as_of"], label="--as-of 日期") if options["as_of"] else today()
        bar = self.progress(total=None, desc="导入", options=options)
        done = [0]

        def progress(rows: int) -> None:
            bar.update(rows - done[0])
            done[0] = rows

        try:
            return roster_load(actor=actor, kind=options["dataset"], region_code=region, file=options["file"],
                               as_of=as_of, name=options["name"], department=options["department"],
                               year=options["year"], progress=progress)
        finally:
            bar.close()

    def _print(self, roster, actor, options):
        viewer = actor or _System()
        summary = roster.match_summary
        suspects = list(Suspect.objects.filter(roster=roster).select_related("roster", "roster_row", "household",
                                                                             "member")
                        .order_by("village_code", "household_id", "rule", "id"))
        data = {"ok": True, "roster": roster_data(roster),
                "counts": dict(summary.get("rules", {}).items()),
                "matched_members": summary.get("matched_members"),
                "suspects": [suspect_data(viewer, s) for s in suspects]}
        load = summary.get("load", {})
        lines = [f"数据集 #{roster.pk}：{roster.name}（{roster.get_kind_display()}，覆盖 {roster.region_code}，"
                 f"截至 {roster.as_of:%Y-%m-%d}，比对 {summary.get('year')} 年数据）",
                 f"数据行 {roster.row_count} 行；跳过空行 {load.get('empty_rows', 0)} 行；本次新增疑点 "
                 f"{summary.get('new', 0)} 条"]
        lines += [f"说明：{n}" for n in load.get("notes", [])]
        if summary.get("matched_members") is not None:
            lines.append(f"与建档立卡在册成员匹配 {summary['matched_members']} 人（供返贫风险排查使用，不产生疑点）")
        for rule in rules_for(roster.kind):
            c = summary.get("rules", {}).get(rule.code, {})
            lines.append(f"  {rule.title}：本次发现 {c.get('found', 0)} 条，累计 {c.get('total', 0)} 条")
        if suspects:
            rows = [[s.household.household_no, s.member.name if s.member else "",
                     mask_id_number(s.member.id_number) if s.member else "", rule_title(s.rule), s.reason]
                    for s in suspects[:LISTED]]
            lines += ["", table(["户编号", "姓名", "证件号码", "规则", "疑点说明"], rows)]
            if len(suspects) > LISTED:
                lines.append(f"……共 {len(suspects)} 条，其余请用 --json 或在网页中查看")
        self.report(data, "\n".join(lines), options=options)
