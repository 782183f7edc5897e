"""Template filter of the data-quality page: the ledger item a finding is already followed in."""

from django import template

register = template.Library()


@register.filter
def ledger_for(ledger_map, finding):
    """`ledger_map` from `quality_ledger_map` (keyed "<code>:<household>:<member or ->")."""
    if not ledger_map:
        return None
    return ledger_map.get(f"{finding.code}:{finding.household_id}:{finding.member_id or '-'}")
