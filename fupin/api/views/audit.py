from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.roles import Cap
from fupin.api.permissions import capability
from fupin.api.serializers import VerifyResultSerializer
from fupin.audit.selectors import verify_chain

from .base import ApiMixin, error_responses


class AuditVerifyView(ApiMixin, APIView):
    permission_classes = [IsAuthenticated, capability(Cap.VIEW_AUDIT)]

    @extend_schema(
        operation_id="audit_verify", tags=["审计"], summary="校验审计日志哈希链是否完整",
        description="逐条重算哈希，报告第一处被篡改、删除的位置。仅限有审计权限的角色（审计员、系统管理员）。",
        responses={200: VerifyResultSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        return Response(VerifyResultSerializer(verify_chain().as_dict()).data)
