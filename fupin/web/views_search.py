"""Search for households (综合查询) within the user's scope.

Name (head or member, contained), ID number (exact, normalised: a 15-digit number or a lower-case
x finds the stored 18-digit one), region, status, main cause, attribute. Pages of 50; personal
data masked as in any list.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.accounts.masking import mask_value, may_see_personal
from fupin.registry.idnumbers import InvalidIdNumber, normalize
from fupin.registry.selectors import household_search, villages_in_scope

from .forms_household import SearchForm

PER_PAGE = 50


def id_number_candidates(raw: str) -> tuple[list[str], str]:
    """The stored forms a typed ID number may have, and a hint when it is no resident ID.

    A resident ID is stored normalised (18 digits, upper-case X); other certificates (残疾人证 …)
    are stored as typed, upper-cased. Both are exact matches on the indexed column."""
    text = raw.strip().replace(" ", "").upper()
    candidates = [text]
    hint = ""
    try:
        normalized = normalize(text)
    except InvalidIdNumber as exc:
        hint = f"{exc}；已按原样查找其他证件号码。"
    else:
        if normalized != text:
            candidates.insert(0, normalized)
    return candidates, hint


@login_required
@require_safe
def search_view(request):
    user = request.user
    villages = villages_in_scope(user)
    form = SearchForm(request.GET or None, villages=villages)
    page = None
    rows = []
    hint = ""
    searched = False
    if form.is_bound and form.is_valid() and form.has_criteria():
        searched = True
        data = form.cleaned_data
        ids, hint = id_number_candidates(data["id_number"]) if data["id_number"] else ((), "")
        qs = household_search(user, name=data["name"] or None, id_numbers=ids, region_code=data["region"] or None,
                              status=data["status"] or None, main_cause=data["main_cause"] or None,
                              attribute=data["attribute"] or None)
        page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
        for h in page:
            matched = getattr(h, "matched_member", None)
            rows.append({
                "h": h,
                "phone": mask_value("phone", h.phone, user=user, in_list=True),
                "matched": matched if matched and matched != h.head_name else "",
                "matched_id": mask_value("id_number", getattr(h, "matched_id_number", "") or "", user=user,
                                         in_list=True) if ids else "",
            })
    return render(request, "web/household/search.html", {
        "form": form,
        "page": page,
        "rows": rows,
        "hint": hint,
        "searched": searched,
        "masked": not may_see_personal(user, in_list=True),
    })
