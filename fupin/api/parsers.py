"""Request parsers whose errors are in Chinese (DRF's JSON parse error text is not translated)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError("请求体不是有效的 JSON") from None


PARSER_CLASSES = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
