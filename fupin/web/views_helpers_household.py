"""A household's 帮扶责任人 (current helper, history, reassignment) and a cadre's page.

The household through `household_access` (404 outside scope; a cadre sees only their own), the
cadre through `helpers.selectors.cadre_access` (404 unless visible; a cadre sees only themselves).
The cadre picker lists the cadres who may help the household — active 帮扶责任人 bound to its
village, township or county — with their current load against the limit in force.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from fupin.accounts.masking import mask_value
from fupin.accounts.scope import code_in_scope
from fupin.core.clock import today
from fupin.helpers import selectors as sel
from fupin.helpers.rights import may, require_assign, require_bulk_assign, require_profile
from fupin.helpers.services_assign import (
    cadre_profile_save,
    cadres_reassign,
    household_assign_helper,
    household_end_helper,
)
from fupin.regions.selectors import breadcrumb_for
from fupin.registry.selectors import household_access

from .views_helpers import _attempt
from .views_helpers_forms import AssignForm, EndHelperForm, ProfileForm, ReassignForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_helper_view(request, pk):
    user = request.user
    household = household_access(user, pk)
    may_assign = may(user, require_assign)
    current = today()
    action = request.POST.get("action") if request.method == "POST" else None
    candidates, limit = sel.cadre_candidates(user, household, on=current) if may_assign else ([], None)
    assign_form = AssignForm(request.POST if action == "assign" else None, candidates=candidates, limit=limit,
                             initial={"on": current})
    end_form = EndHelperForm(request.POST if action == "end" else None, initial={"on": current})
    if request.method == "POST":
        require_assign(user)
        here = reverse("web:household_helper", args=[household.pk])
        if action == "assign" and _attempt(request, assign_form, lambda d: household_assign_helper(
                actor=user, household_id=household.pk, cadre_id=d["cadre"], on=d["on"], reason=d["reason"]),
                "已调整帮扶责任人"):
            return redirect(here)
        if action == "end" and _attempt(request, end_form, lambda d: household_end_helper(
                actor=user, household_id=household.pk, on=d["on"], reason=d["reason"]), "已解除结对"):
            return redirect(here)
    helper = household.helper
    return render(request, "web/helpers/household.html", {
        "household": household, "crumbs": breadcrumb_for(user, household.village), "helper": helper,
        "helper_phone": mask_value("phone", helper.phone, user=user, in_list=False) if helper else "",
        "history": list(sel.household_helper_history(user, household)),
        "may_assign": may_assign, "assign_form": assign_form, "end_form": end_form, "limit": limit,
        "candidates": candidates})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cadre_view(request, pk):
    user = request.user
    cadre = sel.cadre_access(user, pk)
    profile = sel.cadre_profile(cadre)
    current = today()
    action = request.POST.get("action") if request.method == "POST" else None
    may_profile = may(user, require_profile) and code_in_scope(user, cadre.region_id)
    may_bulk = may(user, require_bulk_assign)
    units = list(sel.units_for_choice(user, cadre.region_id)) if may_profile else []
    initial = ({"id_number": profile.id_number, "unit": str(profile.unit_id or ""), "position": profile.position,
                "phone": profile.phone} if profile else {"phone": cadre.phone})
    profile_form = ProfileForm(request.POST if action == "profile" else None, units=units, initial=initial)
    reassign_form = ReassignForm(request.POST if action == "reassign" else None,
                                 cadres=sel.cadres_for_reassignment(user, cadre) if may_bulk else (),
                                 initial={"on": current})
    if request.method == "POST":
        here = reverse("web:helpers_cadre", args=[cadre.pk])
        if action == "profile":
            require_profile(user)
            if _attempt(request, profile_form, lambda d: cadre_profile_save(
                    actor=user, cadre_id=cadre.pk, id_number=d["id_number"], unit_id=d["unit"] or None,
                    position=d["position"], phone=d["phone"]), "已保存帮扶责任人档案"):
                return redirect(here)
        elif action == "reassign":
            require_bulk_assign(user)
            result = {}

            def move(d):
                result.update(cadres_reassign(actor=user, from_cadre_id=cadre.pk, to_cadre_id=d["to_cadre"],
                                              on=d["on"], reason=d["reason"]))

            if _attempt(request, reassign_form, move, "已调整帮扶责任人"):
                messages.info(request, f"共 {result['moved']} 户改由新帮扶责任人帮扶（其结对 {result['to_cadre_load']} 户，"
                                       f"上限 {result['limit']} 户）")
                return redirect(here)
    load, limit = sel.cadre_load(cadre, on=current)
    households = list(sel.cadre_households(user, cadre))
    return render(request, "web/helpers/cadre.html", {
        "cadre": cadre, "profile": profile, "crumbs": breadcrumb_for(user, cadre.region),
        "id_number": mask_value("id_number", profile.id_number, user=user, in_list=False) if profile else "",
        "phone": mask_value("phone", (profile.phone if profile else "") or cadre.phone, user=user, in_list=False),
        "households": households, "history": list(sel.cadre_history(user, cadre)), "load": load, "limit": limit,
        "may_profile": may_profile, "profile_form": profile_form, "may_bulk": may_bulk and bool(households),
        "reassign_form": reassign_form, "is_self": cadre.pk == user.pk})
