"""Demo 问题台账 for a generated demo county.

`generate_ledger_demo(county_code=..., on=..., seed=...)` runs after the cross-check demo (it works as
well when there are no suspects) and writes, set-based:

- items from ≈ 60 % [demo] (at most 150) of the county's new cross-check suspects (source crosscheck,
  source_ref "crosscheck.suspect:<id>"; the suspects are marked 已列入问题台账 by one bulk update);
- items from data-quality findings of the cheap rules over the county (source_ref as the service makes it);
- inspection (巡视督查) and audit (审计) findings on villages, townships and a few households;
- every item in a state drawn from OPEN / RECTIFYING / SUBMITTED / VERIFIED / CLOSED [demo weights],
  with dates that fit: closed items 10–60 days after they were found, some open or rectifying items
  past their deadline (overdue on `on`), some due within `ledger.due_soon_days`; one event per step
  in order, and a small evidence file (stored once by content hash) for every item past rectifying.

Actors: demo_clerk / demo_township rectify, demo_county (else any county approver) verifies and
closes, demo_auditor registers audit findings; without those accounts the events carry no actor.
Deterministic for a seed; one transaction; one audit row for the run.
"""

import hashlib
import random
from collections import Counter
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range
from fupin.audit.services import Action, Entry, record
from fupin.core import uploads
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level, subtree_range
from fupin.regions.models import Region
from fupin.registry.models import Household

from .choices import EventKind, ItemState, Source
from .models import Evidence, ItemEvent, LedgerItem

SUSPECT_SHARE, SUSPECT_MAX = 0.6, 150  # [demo]
QUALITY_MAX = 40  # [demo]
# Rules that take one cheap query over a whole county (the identity and income rules are left to
# `check_quality`): the demo registry is clean, so these find few problems — all of them are kept.
QUALITY_RULES = ("R01", "R02", "R05", "R06", "R07", "R08", "R13", "R14", "R15", "R16", "R17", "R18", "R19", "R20")
INSPECTIONS, AUDITS = 24, 12  # [demo]
STATES = ((ItemState.OPEN, 0.15), (ItemState.RECTIFYING, 0.20), (ItemState.SUBMITTED, 0.10),
          (ItemState.VERIFIED, 0.08), (ItemState.CLOSED, 0.47))  # [demo]
INSPECTION_TEXTS = (
    ("帮扶措施与致贫原因不匹配", "巡视反馈：部分贫困户帮扶措施针对性不强，“一户一策”与致贫原因不对应。"),
    ("贫困户收入核算不准确", "督查发现：部分贫困户家庭收入计算漏算转移性收入或生产经营性支出。"),
    ("驻村工作队在岗不足", "督查暗访：驻村工作队员到岗天数不足，工作日志记录不全。"),
    ("扶贫项目资产管护不到位", "巡视反馈：村级扶贫项目形成的资产未明确管护责任，收益分配公示不及时。"),
    ("危房改造验收资料不全", "督查发现：部分农危房改造户缺少竣工验收和鉴定资料。"),
    ("义务教育控辍保学台账不实", "巡视反馈：适龄儿童就学情况台账与学籍系统不一致。"),
)
AUDIT_TEXTS = (
    ("扶贫资金拨付滞后", "审计发现：县级扶贫资金整合项目资金拨付滞后，资金闲置超过规定期限。"),
    ("产业扶贫补助对象不精准", "审计发现：部分产业奖补资金发放给非建档立卡户。"),
    ("小额信贷贴息资金核算有误", "审计发现：扶贫小额信贷贴息资金重复计算。"),
    ("项目公告公示不规范", "审计发现：部分扶贫项目未按规定进行公告公示。"),
)
MEASURES = "入户核实情况，更正系统数据并补齐佐证资料；村两委会议研究整改措施，乡镇复核。"
EVIDENCE_PDF = "%PDF-1.4\n% 演示整改佐证材料（demo rectification evidence）\n".encode()


def _states(rng: random.Random, n: int) -> list[str]:
    """`n` states in the demo proportions (largest remainder; each state at least once from 5 items), shuffled."""
    exact = [(s, w * n) for s, w in STATES]
    counts = {s: int(x) for s, x in exact}
    for s, _ in sorted(exact, key=lambda e: e[1] - int(e[1]), reverse=True)[: n - sum(counts.values())]:
        counts[s] += 1
    if n >= len(STATES):
        for s in counts:
            if counts[s] == 0:
                counts[max(counts, key=counts.get)] -= 1
                counts[s] = 1
    out = [s for s, _ in STATES for _ in range(counts[s])]
    rng.shuffle(out)
    return out




def _accounts(county: Region) -> dict:
    users = list(get_user_model().objects.filter(is_active=True, region_id__gte=county.code_range.low,
                                                  region_id__lte=county.code_range.high).order_by("id"))

    def pick(name, role):
        return next((u for u in users if u.username == name), None) or next((u for u in users if u.role == role), None)

    return {"clerk": pick("demo_clerk", Role.VILLAGE_CLERK), "township": pick("demo_township", Role.TOWNSHIP_REVIEWER),
            "county": pick("demo_county", Role.COUNTY_APPROVER), "auditor": pick("demo_auditor", Role.AUDITOR)}


def _who(user) -> dict:
    return {"actor_id": user.pk if user else None, "actor_name": (user.display_name if user else "系统（演示）")}


class _Plan:
    """One item to write, with its events (dates in order, none after `on`)."""

    def __init__(self, item: LedgerItem, state: str, events: list[tuple]):
        self.item, self.state, self.events = item, state, events


def _timeline(rng: random.Random, *, on: date, state: str, found_before: int, slot: int) -> dict:
    """Dates for an item ending in `state` on `on`: found_on, deadline and the step dates."""
    if state == ItemState.CLOSED:
        found = on - timedelta(days=rng.randint(70, found_before + 70))
        closed = found + timedelta(days=rng.randint(10, 60))
        submitted = closed - timedelta(days=rng.randint(3, 8))
        started = found + timedelta(days=rng.randint(1, max(1, (submitted - found).days - 1)))
        verified = closed - timedelta(days=rng.randint(0, 2))
        deadline = found + timedelta(days=rng.choice((30, 45, 60)))
        return {"found": found, "deadline": deadline, "started": started, "submitted": submitted,
                "verified": max(verified, submitted), "closed": closed}
    if state in (ItemState.SUBMITTED, ItemState.VERIFIED):
        found = on - timedelta(days=rng.randint(15, 80))
        submitted = on - timedelta(days=rng.randint(2, 10))
        submitted = max(submitted, found + timedelta(days=5))
        started = found + timedelta(days=rng.randint(1, 4))
        return {"found": found, "deadline": found + timedelta(days=rng.choice((30, 45, 60))), "started": started,
                "submitted": submitted, "verified": min(on, submitted + timedelta(days=rng.randint(1, 5)))}
    # open or rectifying: a third overdue, a third due soon, the rest later
    kind = slot % 3
    found = on - timedelta(days=rng.randint(5, 60) if kind else rng.randint(40, 120))
    if kind == 0:
        deadline = on - timedelta(days=rng.randint(1, 30))
    elif kind == 1:
        deadline = on + timedelta(days=rng.randint(0, 7))
    else:
        deadline = on + timedelta(days=rng.randint(8, 60))
    deadline = max(deadline, found)
    return {"found": found, "deadline": deadline, "started": min(on, found + timedelta(days=rng.randint(1, 5)))}


def _plan(rng, *, on, item: LedgerItem, state, slot, registrar, rectifier, verifier) -> _Plan:
    t = _timeline(rng, on=on, state=state, found_before=200, slot=slot)
    item.found_on, item.deadline, item.state = t["found"], t["deadline"], state
    ev = [(EventKind.CREATED, "", ItemState.OPEN, t["found"], item.title[:200], registrar)]
    if state != ItemState.OPEN:
        item.measures = MEASURES
        ev.append((EventKind.STARTED, ItemState.OPEN, ItemState.RECTIFYING, t["started"], MEASURES, rectifier))
    if state in (ItemState.SUBMITTED, ItemState.VERIFIED, ItemState.CLOSED):
        ev.append((EventKind.EVIDENCE, ItemState.RECTIFYING, ItemState.RECTIFYING, t["submitted"], "整改报告.pdf",
                   rectifier))
        ev.append((EventKind.SUBMITTED, ItemState.RECTIFYING, ItemState.SUBMITTED, t["submitted"], "提交整改",
                   rectifier))
        item.submitted_on = t["submitted"]
    if state in (ItemState.VERIFIED, ItemState.CLOSED):
        ev.append((EventKind.VERIFIED, ItemState.SUBMITTED, ItemState.VERIFIED, t["verified"], "核验通过", verifier))
        item.verified_on = t["verified"]
    if state == ItemState.CLOSED:
        ev.append((EventKind.CLOSED, ItemState.VERIFIED, ItemState.CLOSED, t["closed"], "销号", verifier))
        item.closed_on = t["closed"]
    return _Plan(item, state, ev)


def _quality_findings(county: Region, *, year: int, rng: random.Random) -> list:
    """Findings of the cheap data-quality rules over the whole county (one query each), a few kept."""
    from fupin.registry.quality.engine import run_rules

    try:
        report = run_rules(Household.objects.filter(in_code_range("village_id", county.code_range)), year=year,
                           region_code=county.code, rules=QUALITY_RULES)
    except PolicyMissing:  # no thresholds for that year: the demo goes on without quality items
        return []
    findings = list(report.findings)
    rng.shuffle(findings)
    return findings[:QUALITY_MAX]


@transaction.atomic
def generate_ledger_demo(*, county_code: str, on: date, seed: int) -> dict:
    """Ledger items for the county as of `on`. Returns counts."""
    from fupin.crosscheck.choices import SuspectStatus
    from fupin.crosscheck.models import Suspect

    from .services import quality_ref

    county = demo_county(county_code)
    in_county = in_code_range("region_code", county.code_range)
    if LedgerItem.objects.filter(in_county).exists():
        raise DemoError(f"{county.name}已有问题台账记录，请使用新的空数据库")
    who = _accounts(county)
    manager = who["county"] or who["township"]

    def rectifier_for(code):
        return next((u for u in (who["clerk"], who["township"], who["county"]) if u and code in _range(u)), None)

    def verifier_for(code, rect):
        return next((u for u in (who["county"], who["township"], who["auditor"])
                     if u and u != rect and code in _range(u)), None)
    rng = random.Random(f"{seed}:ledger")
    plans: list[_Plan] = []
    counter: Counter = Counter()

    pending: list[tuple[LedgerItem, object]] = []

    def add(item: LedgerItem, registrar):
        pending.append((item, registrar))
        counter[item.source] += 1

    suspects = list(Suspect.objects.filter(in_code_range("village_code", county.code_range), status=SuspectStatus.NEW)
                    .select_related("household").order_by("id"))
    chosen = [s for s in suspects if rng.random() < SUSPECT_SHARE][:SUSPECT_MAX]
    for s in chosen:
        add(LedgerItem(source=Source.CROSSCHECK, source_ref=f"crosscheck.suspect:{s.pk}", region_code=s.village_code,
                       household_id=s.household_id, title=f"比对疑点：{s.reason}"[:200], description=s.reason,
                       inputs={"rule": s.rule, "year": s.year, "suspect_id": s.pk, **(s.inputs or {})},
                       responsible_name="村两委", created_by=manager), manager)
    seen = set()
    for f in _quality_findings(county, year=on.year, rng=rng):
        ref = quality_ref(f.code, f.household_id, f.member_id, on.year)
        if ref in seen:
            continue
        seen.add(ref)
        add(LedgerItem(source=Source.QUALITY, source_ref=ref, region_code=f.village_code, household_id=f.household_id,
                       title=f"{f.code} {f.title}"[:200], description=f.message,
                       inputs={"rule": f.code, "rule_title": f.title, "year": on.year, "message": f.message,
                               "household_no": f.household_no, "member_id": f.member_id, "policy": f.inputs},
                       responsible_name="村级信息员", created_by=manager), manager)
    places = list(Region.objects.filter(code__gte=county.code_range.low, code__lte=county.code_range.high,
                                        level__in=(Level.TOWNSHIP, Level.VILLAGE)).order_by("code")
                  .values_list("code", "name"))
    if who["clerk"]:  # the demo clerk's village gets a share, so demo_clerk has work to do
        places += [(who["clerk"].region_id, who["clerk"].region.name)] * max(1, len(places) // 10)
    for i in range(INSPECTIONS + AUDITS if places else 0):
        audit = i >= INSPECTIONS
        code, name = rng.choice(places)
        title, text = rng.choice(AUDIT_TEXTS if audit else INSPECTION_TEXTS)
        no = f"{'审计' if audit else '巡视'}〔{on.year}〕{rng.randint(1, 30)}号-{i + 1}"
        add(LedgerItem(source=Source.AUDIT if audit else Source.INSPECTION, source_ref=no, region_code=code,
                       title=f"{name}：{title}"[:200], description=text, inputs={"文号": no},
                       responsible_name=f"{name}党委（两委）", created_by=(who["auditor"] if audit else manager)),
            who["auditor"] if audit else manager)

    for (item, registrar), state in zip(pending, _states(rng, len(pending)), strict=True):
        slot = counter[("slot", state)]
        counter[("slot", state)] += 1
        counter[state] += 1
        rect = rectifier_for(item.region_code)
        plans.append(_plan(rng, on=on, item=item, state=state, slot=slot, registrar=registrar, rectifier=rect,
                           verifier=verifier_for(item.region_code, rect)))
    LedgerItem.objects.bulk_create([p.item for p in plans], batch_size=1000)
    events = [ItemEvent(item=p.item, kind=k, from_state=f, to_state=t, on=d, note=n[:500], **_who(u))
              for p in plans for k, f, t, d, n, u in p.events]
    ItemEvent.objects.bulk_create(events, batch_size=2000)
    evidence = []
    with_files = [p for p in plans if p.item.submitted_on]
    if with_files:
        checked = uploads.CheckedFile(name="整改报告.pdf", ext="pdf", content_type="application/pdf",
                                      content=EVIDENCE_PDF, sha256=hashlib.sha256(EVIDENCE_PDF).hexdigest())
        path, _ = uploads.store(checked, folder="ledger/demo")
        evidence = [Evidence(item=p.item, file_name="整改报告.pdf", stored_path=path, content_type=checked.content_type,
                             size=checked.size, sha256=checked.sha256, uploaded_by_name=p.events[-1][5].display_name
                             if p.events[-1][5] else "系统（演示）")
                    for p in with_files]
        Evidence.objects.bulk_create(evidence, batch_size=2000)
    if chosen:
        Suspect.objects.filter(pk__in=[s.pk for s in chosen]).update(status=SuspectStatus.LEDGER,
                                                                    status_note="已列入问题台账（演示）")
    overdue = sum(1 for p in plans if p.state in (ItemState.OPEN, ItemState.RECTIFYING) and p.item.deadline < on)
    stats = {"county": county.code, "county_name": county.name, "on": on, "seed": seed, "items": len(plans),
             "events": len(events), "evidence": len(evidence), "suspects_on_ledger": len(chosen), "overdue": overdue,
             "by_source": {s: counter[s] for s in Source.values},
             "by_state": {s: counter[s] for s in ItemState.values}}
    record(entry=Entry(action=Action.CREATE, object_type="ledger.ledgeritem", object_repr=f"演示问题台账（{county.name}）",
                       region_code=county.code, after={**stats, "on": on.isoformat()}))
    return stats


def _range(user):
    return subtree_range(user.region_id)
