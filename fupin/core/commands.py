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

    def progress(self, *, total: int | None, desc: str, options: dict):
        """A progress bar on stderr (silent with --json or when stderr is not a terminal)."""
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="行", file=sys.stderr,
                    disable=options.get("json") or not sys.stderr.isatty())
