"""Every API error is JSON with a Chinese message: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fupin.accounts.scope import OUT_OF_SCOPE

DEFAULT_MESSAGES = {
    400: "请求数据有误",
    401: "未登录或认证失败",
    403: "您无权执行此操作",
    404: "未找到该记录，或该记录不在您的管辖范围内",
    405: "不支持该请求方法",
    406: "不支持请求的响应格式",
    415: "不支持的请求数据格式",
    429: "请求过于频繁，请稍后再试",
}


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def error_body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        message = "；".join(m for msgs in fields.values() for m in msgs)
        return Response(error_body(400, "invalid", message, fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or OUT_OF_SCOPE)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or DEFAULT_MESSAGES[403])
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "；".join(f"{k}：{m}" if k != "non_field_errors" else m
                           for k, msgs in fields.items() for m in msgs) or DEFAULT_MESSAGES[400]
    else:
        fields = {}
        detail = getattr(exc, "detail", "")
        message = str(detail) if detail else DEFAULT_MESSAGES.get(response.status_code, "请求失败")
    if isinstance(exc, exceptions.NotAuthenticated):
        message = DEFAULT_MESSAGES[401]
    response.data = error_body(response.status_code, code, message, fields)
    return response


def json_404(request, exception=None):
    from django.http import JsonResponse
    return JsonResponse(error_body(404, "not_found", "接口不存在"), status=status.HTTP_404_NOT_FOUND)
