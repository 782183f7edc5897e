from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from fupin.accounts.services import api_token_user


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`). Keys are stored hashed (accounts.ApiToken)."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("认证头格式错误：应为 “Token <令牌>”")
        user = api_token_user(header[1])
        if user is None:
            raise exceptions.AuthenticationFailed("令牌无效、已过期或账户已停用")
        return (user, None)

    def authenticate_header(self, request):
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "fupin.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "“Token <令牌>”，令牌由 POST /api/v1/auth/token 获得"}
