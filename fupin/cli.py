"""The `fupin` console command: Django's management commands under one name.

`fupin --help` lists the fupin commands first; `fupin help --all` shows Django's as well.
"""

import os
import sys

FUPIN_APPS = ("regions", "accounts", "audit", "registry", "demo", "web", "api")


def _fupin_help() -> str:
    from django.core.management import get_commands, load_command_class

    lines = ["用法: fupin <命令> [选项]   (fupin <命令> --help 查看某个命令)", "", "fupin 命令:"]
    commands = get_commands()
    for name in sorted(commands):
        app = commands[name]
        if not app.startswith("fupin."):
            continue
        help_text = load_command_class(app, name).help.strip().splitlines()[0]
        lines.append(f"  {name:<22} {help_text}")
    lines += ["", "常用 Django 命令: migrate, runserver, createsuperuser, collectstatic, shell", "全部命令: fupin help --all"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django
    from django.core.management import execute_from_command_line

    if len(argv) == 1 or argv[1] in ("--help", "-h") or argv[1:] == ["help"]:
        django.setup()
        print(_fupin_help())
        return
    if argv[1:] == ["help", "--all"]:
        argv = argv[:2]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
