from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.roles import Cap
from fupin.accounts.selectors import users_visible_to
from fupin.accounts.services import user_set_active, user_unlock
from fupin.api.permissions import capability
from fupin.api.serializers import UserSerializer

from .base import ApiMixin, error_responses, path_param

TAG = "用户管理"
USER_ID = path_param("user_id", "用户 ID")
ADMIN_ONLY = [IsAuthenticated, capability(Cap.MANAGE_USERS)]


class UserListView(ApiMixin, ListAPIView):
    serializer_class = UserSerializer
    permission_classes = ADMIN_ONLY

    @extend_schema(operation_id="users_list", tags=[TAG], summary="用户列表（系统管理员，限本人管辖范围）",
                   responses={200: UserSerializer(many=True), **error_responses(401, 403)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return users_visible_to(self.request.user)


ACTION_ERRORS = error_responses(401, 403, 404)


class UserDisableView(ApiMixin, APIView):
    permission_classes = ADMIN_ONLY

    @extend_schema(operation_id="user_disable", tags=[TAG], summary="停用用户（其 API 令牌同时作废）",
                   parameters=[USER_ID], request=None, responses={200: UserSerializer, **ACTION_ERRORS})
    def post(self, request, user_id: int):
        return Response(UserSerializer(user_set_active(actor=request.user, user_id=user_id, active=False)).data)


class UserEnableView(ApiMixin, APIView):
    permission_classes = ADMIN_ONLY

    @extend_schema(operation_id="user_enable", tags=[TAG], summary="启用用户",
                   parameters=[USER_ID], request=None, responses={200: UserSerializer, **ACTION_ERRORS})
    def post(self, request, user_id: int):
        return Response(UserSerializer(user_set_active(actor=request.user, user_id=user_id, active=True)).data)


class UserUnlockView(ApiMixin, APIView):
    permission_classes = ADMIN_ONLY

    @extend_schema(operation_id="user_unlock", tags=[TAG], summary="解除登录锁定",
                   parameters=[USER_ID], request=None, responses={200: UserSerializer, **ACTION_ERRORS})
    def post(self, request, user_id: int):
        return Response(UserSerializer(user_unlock(actor=request.user, user_id=user_id)).data)
