"""Filters for the measures page: ratios as percentages and as 6-decimal numbers, "—" when empty."""

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value:.2%}"


@register.filter
def ratio(value) -> str:
    return "—" if value is None else f"{value:.6f}"
