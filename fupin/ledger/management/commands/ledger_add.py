"""`fupin ledger_add --user U --source inspection|audit|other --region CODE --title ... [--household-no ...]
[--deadline ...] [--description ...] [--found-on ...] [--ref ...] [--json]`: register an inspection
(巡视督查) or audit (审计) finding from a script. Checked and audited like the web form (the user
needs MANAGE_LEDGER in scope); nothing is written on error.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.core.commands import ReportCommand
from fupin.ledger.services import item_create
from fupin.regions.codes import subtree_range
from fupin.registry.models import Household
from fupin.registry.validation import parse_date

SOURCES = ("inspection", "audit", "other")


class Command(ReportCommand):
    help = "登记巡视督查、审计等发现的问题到问题台账"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--user", required=True, help="登记人用户名（须有登记问题的权限）")
        parser.add_argument("--source", required=True, choices=SOURCES, help="问题来源：inspection 巡视督查、audit 审计、other 其他")
        parser.add_argument("--region", required=True, help="问题所属区划代码（6、9 或 12 位）")
        parser.add_argument("--title", required=True, help="问题")
        parser.add_argument("--household-no", default="", help="涉及户的户编号（可选，须在 --region 以内）")
        parser.add_argument("--deadline", default=None, help="整改时限（YYYY-MM-DD，默认按 ledger.default_deadline_days）")
        parser.add_argument("--found-on", default=None, help="发现日期（YYYY-MM-DD，默认今天）")
        parser.add_argument("--description", default="", help="问题描述")
        parser.add_argument("--ref", default="", help="来源编号（如巡视反馈文号），同一编号未销号前不能重复登记")

    def _date(self, options, name, label):
        if not options[name]:
            return None
        try:
            return parse_date(options[name], label=label)
        except ValidationError as exc:
            message = "；".join(exc.messages)
            self.fail({"error": message, "fields": {name: exc.messages}}, message, options=options)

    def handle(self, *args, **options):
        actor = self.acting_user(options)
        code = self.region_option(options).code
        deadline = self._date(options, "deadline", "--deadline 整改时限")
        found_on = self._date(options, "found_on", "--found-on 发现日期")
        household_id = None
        if options["household_no"]:
            rng = subtree_range(code)
            household = Household.objects.filter(household_no=options["household_no"].strip(),
                                                 village_id__gte=rng.low, village_id__lte=rng.high).first()
            if household is None:
                message = f"户编号“{options['household_no']}”在区划 {code} 内不存在"
                self.fail({"error": message, "fields": {"household_no": [message]}}, message, options=options)
            household_id = household.pk
        try:
            item = item_create(actor=actor, source=options["source"], region_code=code, household_id=household_id,
                               title=options["title"], description=options["description"], deadline=deadline,
                               found_on=found_on, source_ref=options["ref"])
        except ValidationError as exc:
            fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            message = "；".join(m for msgs in fields.values() for m in msgs)
            self.fail({"error": message, "fields": fields}, message, options=options)
        except (PermissionDenied, Http404) as exc:
            message = str(exc) or "无权登记该问题"
            self.fail({"error": message}, message, options=options)
        data = {"ok": True, "item": {"id": item.pk, "source": item.source, "region_code": item.region_code,
                                     "household_id": item.household_id, "title": item.title, "state": item.state,
                                     "found_on": item.found_on, "deadline": item.deadline,
                                     "source_ref": item.source_ref}}
        self.report(data, f"已登记问题 {item.pk}：{item.title}（{item.get_source_display()}，"
                          f"整改时限 {item.deadline:%Y-%m-%d}）", options=options)
