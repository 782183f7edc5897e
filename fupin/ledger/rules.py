"""The ledger's rules in one place: the state machine, who may do what, and what "overdue" means.

Overdue (逾期) is defined once, here: an item is overdue on day D when it is still open or being
rectified (待整改、整改中) and D is after its deadline — the deadline day itself is not overdue.
An item submitted after its deadline is not overdue any more; statistics count it as 逾期提交.
Due soon (即将到期): open or rectifying, and the deadline falls within D … D + ledger.due_soon_days.
"""

from datetime import date, timedelta

from django.db.models import Q

from fupin.accounts.roles import Cap, role_has

from .choices import ItemState

ACTIVE_STATES = (ItemState.OPEN, ItemState.RECTIFYING)
DUE_SOON_KEY = "ledger.due_soon_days"
DEFAULT_DEADLINE_KEY = "ledger.default_deadline_days"
EVIDENCE_MAX_MB_KEY = "ledger.evidence_max_mb"
EVIDENCE_TYPES_KEY = "ledger.evidence_types"

OVERDUE_TEXT = ("逾期：统计日仍为“待整改”或“整改中”且统计日晚于整改时限（时限当天不算逾期）；"
                "在时限之后才提交整改的计为“逾期提交”；即将到期：待整改或整改中、整改时限在统计日起 "
                "ledger.due_soon_days 天以内；销号用时：发现日期到销号日期的天数（已销号的问题）。")

# action → (capability, states it may start from)
TRANSITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "assign": (Cap.MANAGE_LEDGER, (ItemState.OPEN, ItemState.RECTIFYING, ItemState.SUBMITTED, ItemState.VERIFIED)),
    "start": (Cap.RECTIFY, (ItemState.OPEN,)),
    "evidence": (Cap.RECTIFY, (ItemState.OPEN, ItemState.RECTIFYING)),
    "submit": (Cap.RECTIFY, (ItemState.RECTIFYING,)),
    "return": (Cap.MANAGE_LEDGER, (ItemState.SUBMITTED,)),
    "verify": (Cap.MANAGE_LEDGER, (ItemState.SUBMITTED,)),
    "close": (Cap.MANAGE_LEDGER, (ItemState.VERIFIED,)),
    "reopen": (Cap.MANAGE_LEDGER, (ItemState.VERIFIED, ItemState.CLOSED)),
}
ACTION_LABELS = {"assign": "指定责任人/时限", "start": "开始整改", "evidence": "上传整改材料", "submit": "提交整改",
                 "return": "退回重新整改", "verify": "核验通过", "close": "销号", "reopen": "重新打开"}


def is_overdue(state: str, deadline: date, on: date) -> bool:
    return state in ACTIVE_STATES and on > deadline


def overdue_q(on: date, *, state_field: str = "state") -> Q:
    return Q(**{f"{state_field}__in": ACTIVE_STATES, "deadline__lt": on})


def due_soon_q(on: date, days: int, *, state_field: str = "state") -> Q:
    return Q(**{f"{state_field}__in": ACTIVE_STATES, "deadline__gte": on,
                "deadline__lte": on + timedelta(days=int(days))})


def late_submitted_q() -> Q:
    """Submitted after the deadline (逾期提交), whatever happened since."""
    from django.db.models import F

    return Q(submitted_on__isnull=False, submitted_on__gt=F("deadline"))


def allowed_actions(user, state: str) -> list[str]:
    """The actions `user`'s role may take on an item in `state` (scope is checked by the caller)."""
    role = getattr(user, "role", "")
    return [a for a, (cap, states) in TRANSITIONS.items() if state in states and role_has(role, cap)]
