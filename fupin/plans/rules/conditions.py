"""The condition language of plan rules: checking, evaluating and describing a condition.

    Condition := Test | [Condition, …] (all of them) | {"all": [...]} | {"any": [...]} | {"not": Condition}
    Test      := {"fact": F, "op": OP, "value": V}  or  {"fact": F, "op": OP, "policy": KEY}

A test with "policy" takes its value from the policy table for the household's village and the
year (e.g. the unsafe housing grades `exit.unsafe_danger_grades`), so a number is not kept twice.

Evaluation is three-valued: a test on a missing fact (None) is unknown, `all` is false as soon as
one part is false and unknown when a part is unknown, `any` is true as soon as one part is true,
`not` keeps unknown. A rule fires only when its condition is true — missing data never suggests a
measure nor flags one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from fupin.registry.choices import DangerGrade, HouseholdAttribute, HouseholdStatus, PovertyCause

from ..facts import FACTS, fact_text

OPS = {
    "eq": "为", "ne": "不为", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "属于", "not_in": "不属于",
    "contains": "包含", "not_contains": "不包含", "any_between": "中有介于",
}
# Which operators apply to which kind of fact.
OPS_FOR = {
    "int": {"eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"},
    "bool": {"eq", "ne"},
    "int_list": {"contains", "not_contains", "any_between"},
    "causes": {"contains", "not_contains"},
    "cause": {"eq", "ne", "in", "not_in"},
    "grade": {"eq", "ne", "in", "not_in"},
    "attribute": {"eq", "ne", "in", "not_in"},
    "status": {"eq", "ne", "in", "not_in"},
}
CODED = {"cause": PovertyCause, "causes": PovertyCause, "grade": DangerGrade, "attribute": HouseholdAttribute,
         "status": HouseholdStatus}
MAX_DEPTH = 6


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_scalar(kind: str, value, where: str) -> list[str]:
    if kind in ("int", "int_list"):
        return [] if _is_int(value) else [f"{where}：取值“{value}”应为整数"]
    if kind == "bool":
        return [] if isinstance(value, bool) else [f"{where}：取值“{value}”应为 true 或 false"]
    choices = CODED.get(kind)
    if choices is not None and value not in choices.values:
        allowed = "、".join(f"{c}（{lbl}）" if c else f"空（{lbl}）" for c, lbl in choices.choices)
        return [f"{where}：取值“{value}”无效（可选：{allowed}）"]
    return []


def _check_test(test: dict, where: str) -> list[str]:
    extra = set(test) - {"fact", "op", "value", "policy"}
    if extra:
        return [f"{where}：不认识的键 {'、'.join(sorted(extra))}"]
    fact, op = test.get("fact"), test.get("op")
    if fact not in FACTS:
        return [f"{where}：事实“{fact}”不存在（可用：{'、'.join(FACTS)}）"]
    kind = FACTS[fact][1]
    if op not in OPS_FOR[kind]:
        return [f"{where}：“{FACTS[fact][0]}”不能用运算“{op}”（可用：{'、'.join(sorted(OPS_FOR[kind]))}）"]
    if ("value" in test) == ("policy" in test):
        return [f"{where}：须给出 value 或 policy 之一"]
    if "policy" in test:
        key = test["policy"]
        return [] if isinstance(key, str) and key else [f"{where}：policy 应为政策参数名"]
    value = test["value"]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return [f"{where}：运算 {op} 的取值应为非空列表"]
        return [e for v in value for e in _check_scalar(kind, v, where)]
    if op == "any_between":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value) and value[0] <= value[1]):
            return [f"{where}：运算 any_between 的取值应为 [下限, 上限] 两个整数"]
        return []
    return _check_scalar(kind, value, where)


def check(condition, *, where: str = "条件", depth: int = 0) -> list[str]:
    """Every problem of a condition, in Chinese (empty when it is well formed)."""
    if depth > MAX_DEPTH:
        return [f"{where}：嵌套过深"]
    if isinstance(condition, list):
        if not condition:
            return [f"{where}：条件列表不能为空"]
        return [e for i, c in enumerate(condition, 1) for e in check(c, where=f"{where}第{i}项", depth=depth + 1)]
    if not isinstance(condition, dict):
        return [f"{where}：应为对象或列表"]
    for key in ("all", "any"):
        if key in condition:
            if len(condition) != 1:
                return [f"{where}：{key} 不能与其他键并列"]
            return check(condition[key], where=f"{where}（{key}）", depth=depth + 1) if isinstance(
                condition[key], list) else [f"{where}：{key} 应为列表"]
    if "not" in condition:
        if len(condition) != 1:
            return [f"{where}：not 不能与其他键并列"]
        return check(condition["not"], where=f"{where}（not）", depth=depth + 1)
    return _check_test(condition, where)


def validate(condition) -> None:
    problems = check(condition)
    if problems:
        raise ValidationError({"condition": problems})


def policy_keys(condition) -> set[str]:
    """The policy keys a condition reads its values from."""
    if isinstance(condition, list):
        return {k for c in condition for k in policy_keys(c)}
    if not isinstance(condition, dict):
        return set()
    for key in ("all", "any"):
        if key in condition:
            return policy_keys(condition[key])
    if "not" in condition:
        return policy_keys(condition["not"])
    return {condition["policy"]} if "policy" in condition else set()


def facts_used(condition) -> list[str]:
    """The facts a condition tests, in order of first use."""
    out: list[str] = []

    def walk(c):
        if isinstance(c, list):
            for x in c:
                walk(x)
        elif isinstance(c, dict):
            for key in ("all", "any"):
                if key in c:
                    walk(c[key])
                    return
            if "not" in c:
                walk(c["not"])
            elif c.get("fact") and c["fact"] not in out:
                out.append(c["fact"])

    walk(condition)
    return out


def _value(test: dict, policy: dict):
    if "policy" in test:
        resolved = policy.get(test["policy"])
        return None if resolved is None else resolved.value
    return test["value"]


def _test(test: dict, facts: dict, policy: dict) -> bool | None:
    actual = facts.get(test["fact"])
    expected = _value(test, policy)
    if actual is None or expected is None:
        return None
    op = test["op"]
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "gt":
        return actual > expected
    if op == "gte":
        return actual >= expected
    if op == "lt":
        return actual < expected
    if op == "lte":
        return actual <= expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "contains":
        return expected in actual
    if op == "not_contains":
        return expected not in actual
    if op == "any_between":
        low, high = expected
        return any(low <= v <= high for v in actual)
    return None


def evaluate(condition, facts: dict, policy: dict | None = None) -> bool | None:
    """True, False, or None (unknown: a fact it needed is missing)."""
    policy = policy or {}
    if isinstance(condition, list):
        return _all([evaluate(c, facts, policy) for c in condition])
    if "all" in condition:
        return _all([evaluate(c, facts, policy) for c in condition["all"]])
    if "any" in condition:
        results = [evaluate(c, facts, policy) for c in condition["any"]]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if "not" in condition:
        inner = evaluate(condition["not"], facts, policy)
        return None if inner is None else not inner
    return _test(condition, facts, policy)


def _all(results: list[bool | None]) -> bool | None:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _value_text(fact: str, value) -> str:
    if isinstance(value, list) and FACTS[fact][1] not in ("causes", "int_list"):
        return "、".join(fact_text(fact, v) for v in value)
    if isinstance(value, list) and FACTS[fact][1] == "causes":
        return "、".join(fact_text("main_cause", v) for v in value)
    if FACTS[fact][1] == "causes":
        return fact_text("main_cause", value)
    return fact_text(fact, value)


def describe(condition, policy: dict | None = None) -> str:
    """The condition in Chinese, e.g. “普通或技能劳动力人数 ≥ 1 且 致贫原因（主要和其他）包含 缺技术”."""
    policy = policy or {}
    if isinstance(condition, list):
        parts = [describe(c, policy) for c in condition]
        if len(parts) == 1:
            return parts[0]
        return " 且 ".join(f"（{p}）" if " 或 " in p else p for p in parts)
    if "all" in condition:
        return describe(condition["all"], policy)
    if "any" in condition:
        parts = [describe(c, policy) for c in condition["any"]]
        return " 或 ".join(f"（{p}）" if " 且 " in p else p for p in parts)
    if "not" in condition:
        return f"并非（{describe(condition['not'], policy)}）"
    fact, op = condition["fact"], condition["op"]
    label = FACTS.get(fact, (fact, ""))[0]
    if "policy" in condition:
        resolved = policy.get(condition["policy"])
        shown = f"政策参数 {condition['policy']}"
        if resolved is not None:
            shown += f"（{_value_text(fact, resolved.value)}）"
    elif op == "any_between":
        low, high = condition["value"]
        return f"{label}中有介于 {low}–{high} 岁的"
    else:
        shown = _value_text(fact, condition["value"])
    op_text = {"eq": "=", "ne": "≠"}.get(op, OPS[op]) if FACTS.get(fact, ("", ""))[1] == "int" else OPS[op]
    return f"{label} {op_text} {shown}"
