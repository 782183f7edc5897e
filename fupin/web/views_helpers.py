"""结对帮扶 pages for a region: the coverage report (四包责任制), helping units, teams and cadres.

Thin: the region through `region_access` (404 outside scope), reads through `helpers.selectors`
(a cadre gets 403), writes through the helpers services (403 without the right, ValidationError
per field shown next to the form). Management forms appear only for a county approver
(helpers/rights.py). ID numbers and phones of team members are masked in lists (accounts.masking).
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from fupin.accounts.masking import mask_value
from fupin.core.clock import today
from fupin.helpers import selectors as sel
from fupin.helpers.rights import may, require_manage, require_view_arrangements
from fupin.helpers.services import poor_village_save, unit_create, unit_pair_village, unit_pairing_end
from fupin.helpers.services_teams import team_create, team_end, team_member_add, team_member_end
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level
from fupin.regions.selectors import breadcrumb_for, region_access

from .params import date_param
from .views import _service_errors_to_form
from .views_helpers_forms import (
    EndForm,
    MemberForm,
    PairUnitForm,
    PairVillageForm,
    PoorVillageForm,
    TeamForm,
    UnitForm,
)

CADRES_PER_PAGE = 100


def parse_on(request) -> date:
    """The `on` date of the query string (default today); a bad one is reported and replaced."""
    return date_param(request, "on", fallback="已按今天检查")


def _errors_text(exc: ValidationError) -> str:
    return "；".join(m for msgs in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages])
                    for m in msgs)


def _attempt(request, form, action, success: str) -> bool:
    """Run `action(cleaned_data)` for a valid form; service errors go next to the fields."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        _service_errors_to_form(form, exc, {"village": "village", "unit": "unit", "start": "start",
                                             "secretary": "name"})
        return False
    messages.success(request, success)
    return True


def _end(request, data, action, success: str) -> None:
    """An end/close action from a row button: errors as a message (the page is redirected)."""
    form = EndForm(data)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, success)


# --- Coverage ------------------------------------------------------------------------------

@login_required
@require_safe
def coverage_view(request, code):
    user = request.user
    region = region_access(user, code)
    require_view_arrangements(user)
    on = parse_on(request)
    context = {"region": region, "crumbs": breadcrumb_for(user, region), "on": on}
    try:
        report = sel.coverage_report(user, region_code=region.code, on=on)
    except PolicyMissing as exc:
        return render(request, "web/helpers/coverage.html", {**context, "failure": str(exc)})
    return render(request, "web/helpers/coverage.html", {**context, "report": report, "checks": report.checks})


# --- Units ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def units_view(request, code):
    user = request.user
    region = region_access(user, code)
    require_view_arrangements(user)
    may_manage = may(user, require_manage)
    form = UnitForm(request.POST or None)
    if request.method == "POST":
        require_manage(user)
        created = {}

        def create(data):
            created["unit"] = unit_create(actor=user, region_code=region.code, data=data)

        if _attempt(request, form, create, f"已登记帮扶单位“{form.data.get('name', '')}”"):
            return redirect("web:helpers_unit", pk=created["unit"].pk)
    units = list(sel.unit_list(user, region_code=region.code))
    return render(request, "web/helpers/units.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "units": units,
        "form": form if may_manage else None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_view(request, pk):
    user = request.user
    unit = sel.unit_access(user, pk)
    may_manage = may(user, require_manage)
    form = PairVillageForm(request.POST if request.POST.get("action") == "pair" else None,
                           villages=sel.villages_for_choice(user) if may_manage else (),
                           initial={"start": today()})
    if request.method == "POST":
        require_manage(user)
        action = request.POST.get("action")
        if action == "pair":
            if _attempt(request, form, lambda d: unit_pair_village(actor=user, unit_id=unit.pk,
                                                                   village_code=d["village"], start=d["start"]),
                        "已登记单位包村"):
                return redirect("web:helpers_unit", pk=unit.pk)
        elif action == "end_pairing":
            _end(request, request.POST, lambda d: unit_pairing_end(actor=user, pairing_id=request.POST.get("pairing"),
                                                                  end=d["end"], reason=d["reason"]), "包村已结束")
            return redirect("web:helpers_unit", pk=unit.pk)
    pairings = list(sel.unit_pairings(user, unit))
    return render(request, "web/helpers/unit.html", {
        "unit": unit, "region": unit.region, "crumbs": breadcrumb_for(user, unit.region), "pairings": pairings,
        "form": form if may_manage else None, "end_form": EndForm(initial={"end": today()}),
        "may_manage": may_manage, "contact_phone": mask_value("phone", unit.contact_phone, user=user, in_list=False)})


# --- Teams: a region's list, or one village's arrangements ------------------------------------

def _member_rows(user, members) -> list[dict]:
    return [{"m": m, "id_number": mask_value("id_number", m.id_number, user=user, in_list=True),
             "phone": mask_value("phone", m.phone, user=user, in_list=True)} for m in members]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def teams_view(request, code):
    user = request.user
    region = region_access(user, code)
    require_view_arrangements(user)
    if region.level != Level.VILLAGE:
        on = parse_on(request)
        return render(request, "web/helpers/teams.html", {
            "region": region, "crumbs": breadcrumb_for(user, region), "on": on,
            "teams": list(sel.region_teams(user, region, on=on)),
            "poor_villages": list(sel.poor_villages_in(user, region))})
    return _village(request, region)


def _village(request, village):
    user = request.user
    may_manage = may(user, require_manage)
    action = request.POST.get("action") if request.method == "POST" else None
    units = list(sel.units_for_choice(user, village.code)) if may_manage else []
    pv = sel.poor_village_of(user, village)
    current = today()
    forms = {
        "poor": PoorVillageForm(request.POST if action == "poor" else None,
                                initial={"identified_year": pv.identified_year, "exited_year": pv.exited_year,
                                         "source": pv.source} if pv else {"identified_year": 2014}),
        "pair": PairUnitForm(request.POST if action == "pair" else None, units=units, initial={"start": current}),
        "team": TeamForm(request.POST if action == "team" else None, units=units, initial={"start": current}),
        "member": MemberForm(request.POST if action == "member" else None, initial={"start": current}),
    }
    here = reverse("web:helpers_teams", args=[village.code])
    if request.method == "POST":
        require_manage(user)
        post = request.POST
        done = False
        if action == "poor":
            done = _attempt(request, forms["poor"], lambda d: poor_village_save(
                actor=user, village_code=village.code, identified_year=d["identified_year"],
                exited_year=d["exited_year"], source=d["source"]), "已保存贫困村信息")
        elif action == "pair":
            done = _attempt(request, forms["pair"], lambda d: unit_pair_village(
                actor=user, unit_id=d["unit"], village_code=village.code, start=d["start"]), "已登记单位包村")
        elif action == "team":
            done = _attempt(request, forms["team"], lambda d: team_create(
                actor=user, village_code=village.code, start=d["start"], unit_id=d["unit"] or None,
                secretary={k: d[k] for k in ("name", "id_number", "phone", "work_unit")}), "驻村工作队已进驻")
        elif action == "member":
            done = _attempt(request, forms["member"], lambda d: team_member_add(
                actor=user, team_id=post.get("team"), replace=d["replace"], reason=d["reason"],
                data={k: d[k] for k in ("name", "role", "id_number", "phone", "work_unit", "start")}), "已登记工作队员")
        elif action == "end_pairing":
            _end(request, post, lambda d: unit_pairing_end(actor=user, pairing_id=post.get("pairing"), end=d["end"],
                                                           reason=d["reason"]), "包村已结束")
            done = True
        elif action == "end_member":
            _end(request, post, lambda d: team_member_end(actor=user, member_id=post.get("member"), end=d["end"],
                                                          reason=d["reason"]), "队员任职已结束")
            done = True
        elif action == "end_team":
            _end(request, post, lambda d: team_end(actor=user, team_id=post.get("team"), end=d["end"],
                                                   reason=d["reason"]), "工作队已撤离")
            done = True
        if done:
            return redirect(here)
    teams = list(sel.village_teams(user, village))
    current_team = next((t for t in teams if t.end is None or t.end > current), None)
    return render(request, "web/helpers/village.html", {
        "region": village, "village": village, "crumbs": breadcrumb_for(user, village), "poor_village": pv,
        "pairings": list(sel.village_pairings(user, village)),
        "teams": [{"team": t, "members": _member_rows(user, t.members.all()),
                   "current": t is current_team} for t in teams],
        "current_team": current_team, "may_manage": may_manage, "forms": forms,
        "end_form": EndForm(initial={"end": current}), "current": current})


# --- Cadres of a region --------------------------------------------------------------------

@login_required
@require_safe
def cadres_view(request, code):
    user = request.user
    region = region_access(user, code)
    require_view_arrangements(user)
    page = Paginator(sel.cadre_list(user, region), CADRES_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for c in page:
        profile = getattr(c, "cadre_profile", None)
        rows.append({"c": c, "profile": profile,
                     "phone": mask_value("phone", (profile.phone if profile else "") or c.phone, user=user,
                                         in_list=True)})
    return render(request, "web/helpers/cadres.html", {"region": region, "crumbs": breadcrumb_for(user, region),
                                                       "rows": rows, "page": page})
