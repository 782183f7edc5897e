"""Base for fupin's management commands: `--json` prints one machine-readable document on stdout."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder


class ReportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果（供程序读取）")

    def report(self, data: dict, text: str, *, options: dict) -> None:
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder, indent=2))
        else:
            self.stdout.write(text)

    def fail(self, data: dict, text: str, *, options: dict, exit_code: int = 1) -> None:
        """Report a failure: JSON on stdout with --json, the message on stderr, non-zero exit."""
        if options.get("json"):
            self.stdout.write(json.dumps({"ok": False, **data}, ensure_ascii=False, cls=DjangoJSONEncoder, indent=2))
            self.stdout.flush()
            sys.exit(exit_code)
        raise CommandError(text, returncode=exit_code)

    def region_option(self, options: dict, *, data: dict | None = None, must_exist: bool = True):
        """The region named by --region: its normalized 12-digit code, or (must_exist) the Region.
        A malformed or unknown code fails the command with a Chinese message."""
        from fupin.regions.codes import InvalidCode, normalize_code
        from fupin.regions.selectors import region_get

        data = data or {}
        try:
            code = normalize_code(options["region"])
        except InvalidCode as exc:
            self.fail({**data, "error": str(exc)}, str(exc), options=options)
        if not must_exist:
            return code
        region = region_get(code)
        if region is None:
            message = f"区划“{code}”不存在"
            self.fail({**data, "error": message}, message, options=options)
        return region

    def year_option(self, options: dict, *, data: dict | None = None) -> int:
        year = options["year"]
        if not 2000 <= year <= 2100:
            message = f"年度 {year} 无效（应在 2000–2100 之间）"
            self.fail({**(data or {}), "error": message}, message, options=options)
        return year

    def date_option(self, options: dict, name: str = "on", *, default_today: bool = True, data: dict | None = None):
        """The date given as --name (YYYY-MM-DD and the other forms parse_date accepts); today (or
        None) when not given; a bad date fails the command with the Chinese message."""
        from django.core.exceptions import ValidationError

        from fupin.core.clock import today
        from fupin.registry.validation import parse_date

        raw = options.get(name)
        if not raw:
            return today() if default_today else None
        try:
            return parse_date(raw, label=f"--{name.replace('_', '-')} 日期")
        except ValidationError as exc:
            message = "；".join(exc.messages)
            self.fail({**(data or {}), "error": message}, message, options=options)

    def acting_user(self, options: dict, *, data: dict | None = None):
        """The account named by --user; what it may do is decided by the service it calls."""
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.select_related("region").filter(username=options["user"]).first()
        if actor is None or not actor.is_active:
            message = f"用户“{options['user']}”不存在或已停用"
            self.fail({**(data or {}), "error": message}, message, options=options)
        return actor

    def progress(self, *, total: int | None, desc: str, options: dict):
        """A progress bar on stderr (silent with --json or when stderr is not a terminal)."""
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="行", file=sys.stderr,
                    disable=options.get("json") or not sys.stderr.isatty())
