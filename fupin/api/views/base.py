"""What every API view shares: Chinese parse errors and documented error responses."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import NotFound

from fupin.api.errors import DEFAULT_MESSAGES
from fupin.api.parsers import PARSER_CLASSES
from fupin.api.serializers import ErrorSerializer
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.regions.selectors import region_access


class ApiMixin:
    parser_classes = PARSER_CLASSES


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses; every one has the {"error": {...}} shape."""
    return {code: OpenApiResponse(ErrorSerializer, description=DEFAULT_MESSAGES[code]) for code in codes}


def path_param(name: str, description: str, type_=OpenApiTypes.INT) -> OpenApiParameter:
    return OpenApiParameter(name, type_, OpenApiParameter.PATH, description=description)


REGION_CODE = path_param("code", "区划代码（12 位；也可用 6 位县级或 9 位乡镇级简写）", OpenApiTypes.STR)


def region_in_scope(user, raw_code: str):
    """The region a path or query parameter names, through the scope gate (404 outside scope)."""
    try:
        code = normalize_code(raw_code)
    except InvalidCode as exc:
        raise NotFound(str(exc)) from None
    return region_access(user, code)
