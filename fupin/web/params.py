"""Query-string parameters shared by pages: a bad value is reported to the user and replaced by
its default, never silently guessed."""

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError

from fupin.core.clock import today
from fupin.registry.validation import parse_date

YEAR_MIN, YEAR_MAX = 2000, 2100


def date_param(request, name: str = "on", *, fallback: str = "已按今天显示") -> date:
    """The date in ?name= (YYYY-MM-DD and the other forms parse_date accepts); today when absent,
    invalid or outside YEAR_MIN–YEAR_MAX, with a warning saying so."""
    current = today()
    raw = request.GET.get(name, "").strip()
    if not raw:
        return current
    try:
        day = parse_date(raw[:20], label="日期")
    except ValidationError:
        messages.warning(request, f"日期“{raw[:20]}”无效，{fallback}")
        return current
    if not date(YEAR_MIN, 1, 1) <= day <= date(YEAR_MAX, 12, 31):
        messages.warning(request, f"日期“{raw[:20]}”超出范围，{fallback}")
        return current
    return day


def year_param(request, name: str = "year", *, default: Callable[[], int] | None = None,
               fallback: str = "已按今年显示") -> int:
    """The year in ?name=; when absent or invalid `default()` (this year), with a warning saying so.
    `default` is called only when needed (it may query, e.g. the latest year with data)."""
    raw = request.GET.get(name, "").strip()
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    if raw:
        messages.warning(request, f"年度“{raw[:10]}”无效，{fallback}")
    return default() if default is not None else today().year
