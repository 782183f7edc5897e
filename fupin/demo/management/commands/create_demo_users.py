from fupin.core.commands import ReportCommand
from fupin.demo.generator import DemoError
from fupin.demo.text import table
from fupin.demo.users import DEMO_URL, ensure_demo_users


class Command(ReportCommand):
    help = "为演示创建每种角色各一个登录账户（统一演示密码）；再次运行时重置这些账户的密码并重新列出"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--county", required=True, help="县级区划代码（6 位或 12 位），如 610926")
        parser.add_argument("--url", default=DEMO_URL, help=f"列出的访问网址（默认 {DEMO_URL}）")

    def handle(self, *args, **options):
        try:
            accounts = ensure_demo_users(county_code=options["county"])
        except DemoError as exc:
            self.fail({"error": str(exc)}, f"未创建演示账户：{exc}", options=options)
            return
        rows = [[a.role_label, a.username, a.password, f"{a.region_name}（{a.region_code}）"
                 + (f"，{a.note}" if a.note else "")] for a in accounts]
        created = sum(a.created for a in accounts)
        text = "\n".join([
            f"演示账户（新建 {created} 个，重置密码 {len(accounts) - created} 个；仅供本机演示，请勿用于正式环境）：",
            "",
            table(["角色", "用户名", "密码", "所属区划"], rows),
            "",
            f"网址: {options['url']}",
        ])
        self.report({"ok": True, "url": options["url"], "accounts": [a.as_dict() for a in accounts]}, text,
                    options=options)
