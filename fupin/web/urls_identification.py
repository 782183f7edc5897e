"""Web pages of one domain, included by urls.py (names are in the "web" namespace).

Identification and exit procedures (精准识别, 精准退出): cases, notices, objections, ranking,
quotas; and the public notice pages (公示公告), readable without login.
"""

from django.urls import path

from . import views_identification as cases
from . import views_identification_notices as notices
from . import views_identification_ranking as ranking

urlpatterns = [
    path("r/<str:code>/cases/", cases.case_list_view, name="cases"),
    path("r/<str:code>/cases/new/", cases.case_new_view, name="case_new"),
    path("households/<int:pk>/exit-case/new/", cases.exit_case_new_view, name="exit_case_new"),
    path("cases/<int:pk>/", cases.case_view, name="case"),
    path("cases/<int:pk>/act/", cases.case_act_view, name="case_act"),
    path("case-attachments/<int:pk>/", cases.attachment_view, name="case_attachment"),
    path("r/<str:code>/notices/", notices.notices_view, name="notices"),
    path("r/<str:code>/notices/new/", notices.notice_new_view, name="notice_new"),
    path("notices/<int:pk>/", notices.notice_view, name="notice"),
    path("notices/<int:pk>/objections/", notices.objection_new_view, name="objection_new"),
    path("notices/<int:pk>/complete/", notices.notice_complete_view, name="notice_complete"),
    path("objections/<int:pk>/resolve/", notices.objection_resolve_view, name="objection_resolve"),
    path("r/<str:code>/ranking/", ranking.ranking_view, name="ranking"),
    path("r/<str:code>/quotas/", ranking.quotas_view, name="quotas"),
    # Public (公示公告): no login.
    path("public/notices/", notices.public_notices_view, name="public_notices"),
    path("public/notices/<int:pk>/", notices.public_notice_view, name="public_notice"),
    path("public/villages/<str:code>/notices/", notices.public_village_notices_view, name="public_village_notices"),
]
