"""Web pages. Thin: parse the request, call selectors/services, render.

Scope and rights are decided by the selectors and services (Http404 outside the user's region,
PermissionDenied without the capability); views never query models directly. Personal fields are
masked here, before they reach a template, so a template cannot print a raw value by mistake.
"""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts.masking import mask_dict, mask_value
from fupin.accounts.roles import Role
from fupin.accounts.selectors import user_is_locked, users_visible_to
from fupin.accounts.services import LoginRefused, authenticate_user, user_create, user_set_active, user_unlock
from fupin.audit.selectors import audit_events_visible_to, verify_chain
from fupin.audit.services import Action
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.choices import HouseholdStatus
from fupin.registry.selectors import household_list, region_overview
from fupin.registry.services import HOUSEHOLD_EDITABLE

from .forms import LoginForm, UserCreateForm

LOGIN_BACKEND = "fupin.accounts.backends.LockoutAwareBackend"
HOUSEHOLDS_PER_PAGE = 50
USERS_PER_PAGE = 100
AUDIT_LIMIT = 200

# Chinese names for the keys that appear in audit before/after data (display only).
AUDIT_FIELD_LABELS = {
    **HOUSEHOLD_EDITABLE,
    "is_active": "启用", "failed_logins": "连续失败次数", "locked_until": "锁定至", "username": "用户名",
    "role": "角色", "region": "区划", "status": "户状态", "head_name": "户主姓名", "id_number": "证件号码",
    "name": "姓名",
}


def _service_errors_to_form(form, exc: ValidationError, field_map: dict | None = None) -> None:
    """Put a service's per-field ValidationError next to the matching form fields."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, msgs in exc.message_dict.items():
        target = field_map.get(name, name)
        form.add_error(target if target in form.fields else None, msgs)


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


# --- Login ---------------------------------------------------------------------------------

@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request):
    if request.method != "POST" and request.user.is_authenticated:
        return redirect(_safe_next(request) or "web:home")
    form = LoginForm(request.POST or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_user(username=form.cleaned_data["username"],
                                     password=form.cleaned_data["password"])
        except LoginRefused as exc:
            refused = exc.message
        else:
            auth_login(request, user, backend=LOGIN_BACKEND)
            return redirect(_safe_next(request) or "web:home")
    return render(request, "web/login.html", {"form": form, "refused": refused,
                                              "next": _safe_next(request) or ""})


@require_POST
def logout_view(request):
    auth_logout(request)
    messages.info(request, "您已安全退出")
    return redirect("web:login")


# --- Regions and households ----------------------------------------------------------------

@login_required
@require_safe
def home_view(request):
    # A cadre's work is their paired households: their home is the phone-first list of them.
    if request.user.role == Role.CADRE:
        return redirect("web:my_households")
    return redirect("web:region", code=request.user.region_id)


@login_required
@require_safe
def region_view(request, code):
    region = region_access(request.user, code)
    return render(request, "web/region.html", {
        "region": region,
        "crumbs": breadcrumb_for(request.user, region),
        "overview": region_overview(request.user, region),
    })


@login_required
@require_safe
def households_view(request, code):
    user = request.user
    region = region_access(user, code)
    status = request.GET.get("status", "")
    if status not in HouseholdStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()[:50]
    qs = household_list(user, region_code=region.code, status=status or None, q=q or None)
    page = Paginator(qs, HOUSEHOLDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"h": h, "phone": mask_value("phone", h.phone, user=user, in_list=True)} for h in page]
    return render(request, "web/households.html", {
        "region": region,
        "crumbs": breadcrumb_for(user, region),
        "page": page,
        "rows": rows,
        "status": status,
        "q": q,
        "status_choices": HouseholdStatus.choices,
    })


# The household page and its edit forms live in views_household.py.


# --- User administration -------------------------------------------------------------------

USER_ACTIONS = {
    "disable": ("已停用账户 {}", lambda actor, uid: user_set_active(actor=actor, user_id=uid, active=False)),
    "enable": ("已启用账户 {}", lambda actor, uid: user_set_active(actor=actor, user_id=uid, active=True)),
    "unlock": ("已解除账户 {} 的锁定", lambda actor, uid: user_unlock(actor=actor, user_id=uid)),
}


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def users_view(request):
    actor = request.user
    accounts = users_visible_to(actor)  # PermissionDenied (403) unless the role manages users
    form = UserCreateForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in USER_ACTIONS:
            done, call = USER_ACTIONS[action]
            try:
                target = call(actor, request.POST.get("user_id", ""))
            except PermissionDenied as exc:  # e.g. acting on one's own account
                messages.error(request, str(exc))
            else:
                messages.success(request, done.format(target.username))
            return redirect("web:users")
        if action == "create":
            form = UserCreateForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    created = user_create(actor=actor, username=data["username"], password=data["password"],
                                          role=data["role"], region_code=data["region_code"],
                                          full_name=data["full_name"], phone=data["phone"])
                except ValidationError as exc:
                    _service_errors_to_form(form, exc, field_map={"region": "region_code"})
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, f"已创建账户 {created.username}")
                    return redirect("web:users")
        else:
            messages.error(request, "未知的操作")
            return redirect("web:users")
    page = Paginator(accounts, USERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"u": u, "locked": user_is_locked(u)} for u in page]
    return render(request, "web/users.html", {"page": page, "rows": rows, "form": form,
                                              "sysadmin_role": Role.SYSADMIN})


# --- Audit trail ---------------------------------------------------------------------------

def _audit_pairs(data: dict | None) -> list[tuple[str, object]]:
    if not data:
        return []
    return [(AUDIT_FIELD_LABELS.get(k, k), "—" if v in (None, "") else v) for k, v in data.items()]


@login_required
@require_safe
def audit_view(request):
    user = request.user
    events = list(audit_events_visible_to(user)[:AUDIT_LIMIT])  # PermissionDenied without view_audit
    rows = [{
        "e": e,
        "action": Action.LABELS.get(e.action, e.action),
        "before": _audit_pairs(mask_dict(e.before, user=user, in_list=True)),
        "after": _audit_pairs(mask_dict(e.after, user=user, in_list=True)),
    } for e in events]
    verify = verify_chain() if request.GET.get("verify") == "1" else None
    return render(request, "web/audit.html", {"rows": rows, "verify": verify, "limit": AUDIT_LIMIT})
