from django import template

register = template.Library()


@register.filter
def pct(ratio) -> str:
    """0.123456 → "12.35%"; no denominator → "—"."""
    return "—" if ratio is None else f"{ratio * 100:.2f}%"
