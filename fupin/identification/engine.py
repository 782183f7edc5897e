"""The procedure engine: configured steps (policy data) read, checked and evaluated. No writes here.

A procedure is a list of steps kept in the policy table (`workflow.identification.steps`,
`workflow.exit.steps`), so a province can add a step (e.g. 信息比对) or change notice days by
adding its own row. Each step: {code, name, kind, role, days (notice), pass_ratio (vote)} and
optionally `show_income` (notices print per-capita income; default yes) and `assess` (the step's
approval checks the standard: identification — per-capita income strictly below the poverty line;
exit — the household exit standard, which is also checked at the final effect step; default: the
action step coded "verify").

A case copies its steps when it is opened, so a change of configuration affects new cases only.
"""

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from fupin.accounts.roles import Cap, Role, role_has
from fupin.policy.selectors import Resolved, resolve

from .choices import STEPS_KEY, Procedure, StepKind

CODE_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_NOTICE_DAYS = 90
STEP_KEYS = {"code", "name", "kind", "role", "days", "pass_ratio", "show_income", "assess"}


class StepConfigError(ValidationError):
    """The configured steps of a procedure are unusable; the message names the policy key."""


@dataclass(frozen=True)
class StepDef:
    code: str
    name: str
    kind: str
    role: str
    days: int | None = None
    pass_ratio: float | None = None
    show_income: bool = True
    assess: bool = False

    @property
    def kind_label(self) -> str:
        return StepKind(self.kind).label

    @property
    def role_label(self) -> str:
        return Role.LABELS.get(self.role, self.role)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _where(key: str, resolved: Resolved | None) -> str:
    if resolved is None:
        return f"政策参数 {key} "
    return f"政策参数 {key}（区划 {resolved.region_code}，{resolved.year_from} 年起）"


def validate_steps(value, *, procedure: str, resolved: Resolved | None = None) -> list[StepDef]:
    """Check a configured step list and return it as StepDefs. Raises StepConfigError (Chinese,
    naming the policy key and the step) on: not a non-empty list, unknown keys, a missing or
    malformed code, duplicate codes, an unknown kind or role, a role that may not change data, a
    notice without whole days, a vote without a ratio in [0, 1), an effect step not last or twice."""
    key = STEPS_KEY[Procedure(procedure)]
    where = _where(key, resolved)
    problems: list[str] = []
    if not isinstance(value, list) or not value:
        raise StepConfigError(f"{where}配置有误：应为非空的步骤列表")
    steps: list[StepDef] = []
    seen: set[str] = set()
    for i, raw in enumerate(value, 1):
        label = f"第 {i} 步"
        if not isinstance(raw, dict):
            problems.append(f"{label}应为对象（含 code、name、kind、role）")
            continue
        unknown = sorted(set(raw) - STEP_KEYS)
        if unknown:
            problems.append(f"{label}含未知属性：{'、'.join(unknown)}")
        code, name, kind, role = raw.get("code"), raw.get("name"), raw.get("kind"), raw.get("role")
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            problems.append(f"{label}的 code “{code}”无效（小写字母开头，仅含小写字母、数字和下划线）")
        elif code in seen:
            problems.append(f"{label}的 code “{code}”重复")
        else:
            seen.add(code)
        label = f"{label}（{name or code}）"
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{label}缺少名称 name")
        if kind not in StepKind.values:
            problems.append(f"{label}的类型 kind “{kind}”无效（可选：{'、'.join(StepKind.values)}）")
        if role not in Role.LABELS:
            problems.append(f"{label}的角色 role “{role}”无效")
        elif not role_has(role, Cap.EDIT_REGISTRY):
            problems.append(f"{label}的角色“{Role.LABELS[role]}”无权办理业务")
        days = raw.get("days")
        if kind == StepKind.NOTICE:
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_NOTICE_DAYS:
                problems.append(f"{label}为公示步骤，须设置公示天数 days（1–{MAX_NOTICE_DAYS} 的整数）")
        elif days is not None:
            problems.append(f"{label}不是公示步骤，不能设置 days")
        ratio = raw.get("pass_ratio")
        if kind == StepKind.VOTE:
            if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio < 1:
                problems.append(f"{label}为评议表决步骤，须设置通过比例 pass_ratio（0 至 1 之间，不含 1）")
        elif ratio is not None:
            problems.append(f"{label}不是评议表决步骤，不能设置 pass_ratio")
        for flag in ("show_income", "assess"):
            if flag in raw and not isinstance(raw[flag], bool):
                problems.append(f"{label}的 {flag} 应为 true 或 false")
        if kind == StepKind.EFFECT and i != len(value):
            problems.append(f"{label}为生效步骤，只能是最后一步")
        if not problems:
            assess = raw.get("assess", code == "verify" and kind == StepKind.ACTION)
            steps.append(StepDef(code=code, name=name.strip(), kind=kind, role=role, days=days,
                                 pass_ratio=float(ratio) if ratio is not None else None,
                                 show_income=raw.get("show_income", True), assess=bool(assess)))
    if not problems and value[-1].get("kind") != StepKind.EFFECT:
        problems.append("最后一步须为生效步骤（kind 为 effect：建档立卡或销号）")
    if problems:
        raise StepConfigError(f"{where}配置有误：" + "；".join(problems))
    return steps


def load_steps(procedure: str, *, year: int, region_code: str) -> tuple[list[StepDef], Resolved]:
    """The steps in force for a procedure, year and village, with the policy row they came from."""
    resolved = resolve(STEPS_KEY[Procedure(procedure)], year=year, region_code=region_code)
    return validate_steps(resolved.value, procedure=procedure, resolved=resolved), resolved


def steps_from_snapshot(snapshot: list[dict]) -> list[StepDef]:
    """A case's own copy of its steps (validated when the case was opened)."""
    return [StepDef(**{k: v for k, v in s.items() if k in STEP_KEYS}) for s in snapshot]


@dataclass(frozen=True)
class VoteResult:
    votes_for: int
    votes_against: int
    votes_abstain: int
    pass_ratio: float

    @property
    def total(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain

    @property
    def ratio(self) -> Decimal:
        return Decimal(self.votes_for) / Decimal(self.total)

    @property
    def passed(self) -> bool:
        # Strictly more than the ratio: with 0.5, half of the votes is not a majority.
        return Decimal(self.votes_for) > Decimal(str(self.pass_ratio)) * self.total

    def describe(self) -> str:
        return (f"赞成 {self.votes_for} 票、反对 {self.votes_against} 票、弃权 {self.votes_abstain} 票"
                f"（共 {self.total} 票，赞成率 {self.ratio * 100:.1f}%，须超过 {self.pass_ratio * 100:g}%）")

    def as_dict(self) -> dict:
        return {"for": self.votes_for, "against": self.votes_against, "abstain": self.votes_abstain,
                "total": self.total, "pass_ratio": self.pass_ratio, "passed": self.passed}


def count_votes(votes, *, pass_ratio: float) -> VoteResult:
    """Vote counts from {"for", "against", "abstain"} (or votes_for …): non-negative integers, total > 0."""
    if not isinstance(votes, dict):
        raise ValidationError({"votes": ["评议表决须填写赞成、反对、弃权票数"]})
    errors: dict[str, list[str]] = {}
    counts = {}
    for name, label in (("for", "赞成票"), ("against", "反对票"), ("abstain", "弃权票")):
        raw = votes.get(name, votes.get(f"votes_{name}"))
        if raw is None or str(raw).strip() == "":
            raw = 0 if name == "abstain" else raw
        text = "" if raw is None else str(raw).strip()
        if not text.isdigit() or len(text) > 6:
            errors.setdefault(f"votes_{name}", []).append(f"{label}数“{raw if raw is not None else ''}”应为非负整数")
            continue
        counts[name] = int(text)
    if errors:
        raise ValidationError(errors)
    result = VoteResult(counts["for"], counts["against"], counts["abstain"], pass_ratio)
    if result.total <= 0:
        raise ValidationError({"votes_for": ["评议表决总票数须大于 0"]})
    return result
