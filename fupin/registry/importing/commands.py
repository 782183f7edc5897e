"""Shared by the import/export management commands: the acting user and a progress bar."""

from fupin.audit.context import acting


def acting_user(command, options):
    from fupin.accounts.models import User

    user = User.objects.filter(username=options["user"]).select_related("region").first()
    if user is None or not user.is_active:
        command.fail({"error": f"用户“{options['user']}”不存在或已停用"},
                     f"用户“{options['user']}”不存在或已停用", options=options)
    return user


def import_with_progress(command, path, *, user, options, error_path):
    from .engine import import_households

    bars = {}

    def progress(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[phase] = command.progress(total=total, desc=phase, options=options)
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        with acting(actor_id=user.pk, actor_name=user.username):
            return import_households(path, actor=user, year=options["year"], dry_run=options["dry_run"],
                                     registered_year=options.get("registered_year"), progress=progress,
                                     error_path=error_path)
    finally:
        for bar in bars.values():
            bar.close()
