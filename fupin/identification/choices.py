"""Coded values of the identification and exit procedures (精准识别, 精准退出)."""

from django.db import models


class Procedure(models.TextChoices):
    IDENTIFICATION = "identification", "贫困户识别"
    EXIT = "exit", "贫困户退出"


# The policy key holding the configured steps of each procedure.
STEPS_KEY = {Procedure.IDENTIFICATION: "workflow.identification.steps", Procedure.EXIT: "workflow.exit.steps"}


class CaseState(models.TextChoices):
    OPEN = "open", "办理中"
    REJECTED = "rejected", "已终止"
    COMPLETED = "completed", "已办结"


# How a state shows in the web UI (the status-ok / -warn / -off badges of fupin.css).
STATE_CSS = {CaseState.OPEN: "warn", CaseState.REJECTED: "off", CaseState.COMPLETED: "ok"}


class StepKind(models.TextChoices):
    ACTION = "action", "办理"
    VOTE = "vote", "评议表决"
    NOTICE = "notice", "公示"
    ANNOUNCEMENT = "announcement", "公告"
    EFFECT = "effect", "生效"


class Decision(models.TextChoices):
    APPROVED = "approved", "同意"
    REJECTED = "rejected", "不同意"
    PASSED = "passed", "通过"
    FAILED = "failed", "未通过"


# Decisions that end a case.
ENDING_DECISIONS = frozenset({Decision.REJECTED, Decision.FAILED})


class ObjectionOutcome(models.TextChoices):
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


ANONYMOUS = "匿名"
