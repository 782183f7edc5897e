"""API endpoints of the identification and exit procedures (精准识别, 精准退出), included by urls.py
(names are in the "api" namespace). The public notice endpoints need no authentication."""

from django.urls import path

from .views.identification_cases import (
    CaseActView,
    CaseAttachmentView,
    CaseDetailView,
    HouseholdExitCaseView,
    RegionCasesView,
)
from .views.identification_notices import (
    NoticeCompleteView,
    NoticeDetailView,
    NoticeObjectionsView,
    ObjectionResolveView,
    RegionNoticesView,
)
from .views.identification_public import PublicNoticeDetailView, PublicNoticeListView
from .views.identification_ranking import RegionQuotasView, RegionRankingView

urlpatterns: list = [
    path("regions/<str:code>/cases", RegionCasesView.as_view(), name="region-cases"),
    path("households/<fupin_id:household_id>/exit-case", HouseholdExitCaseView.as_view(), name="household-exit-case"),
    path("cases/<fupin_id:case_id>", CaseDetailView.as_view(), name="case"),
    path("cases/<fupin_id:case_id>/act", CaseActView.as_view(), name="case-act"),
    path("cases/<fupin_id:case_id>/attachments/<fupin_id:attachment_id>", CaseAttachmentView.as_view(),
         name="case-attachment"),
    path("regions/<str:code>/notices", RegionNoticesView.as_view(), name="region-notices"),
    path("notices/<fupin_id:notice_id>", NoticeDetailView.as_view(), name="notice"),
    path("notices/<fupin_id:notice_id>/complete", NoticeCompleteView.as_view(), name="notice-complete"),
    path("notices/<fupin_id:notice_id>/objections", NoticeObjectionsView.as_view(), name="notice-objections"),
    path("objections/<fupin_id:objection_id>/resolve", ObjectionResolveView.as_view(), name="objection-resolve"),
    path("regions/<str:code>/ranking", RegionRankingView.as_view(), name="region-ranking"),
    path("regions/<str:code>/quotas", RegionQuotasView.as_view(), name="region-quotas"),
    path("public/notices", PublicNoticeListView.as_view(), name="public-notices"),
    path("public/notices/<fupin_id:notice_id>", PublicNoticeDetailView.as_view(), name="public-notice"),
]
