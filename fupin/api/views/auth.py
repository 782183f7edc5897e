from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.services import LoginRefused, api_token_create, authenticate_user
from fupin.api.serializers import LoginSerializer, MeSerializer, TokenSerializer

from .base import ApiMixin, error_responses

TAG = "认证"


class LoginFailed(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "login_failed"
    default_detail = "用户名或密码错误"


class TokenObtainView(ApiMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create", tags=[TAG], summary="用用户名和密码换取 API 令牌",
        description="与网页登录同样计数：密码连续错误达到上限后账户锁定。令牌只在此返回一次，"
                    "账户停用或锁定后立即失效。失败时返回 400，`error.code` 为 `login_failed`。",
        request=LoginSerializer, responses={200: TokenSerializer, **error_responses(400)}, auth=[],
    )
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = authenticate_user(**data.validated_data)
        except LoginRefused as exc:
            raise LoginFailed(exc.message) from None
        token, key = api_token_create(user=user)
        return Response(TokenSerializer({"token": key, "expires_at": token.expires_at}).data,
                        headers={"Cache-Control": "no-store"})


class MeView(ApiMixin, APIView):
    @extend_schema(operation_id="me_retrieve", tags=[TAG], summary="当前用户：角色、所属区划和权限",
                   responses={200: MeSerializer, **error_responses(401)})
    def get(self, request):
        return Response(MeSerializer(request.user).data)
