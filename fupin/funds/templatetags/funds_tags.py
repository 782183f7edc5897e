"""`{% load funds_tags %}` · `{{ amount|yuan }}` → "1,234.50" (the filter lives in fupin_web)."""

from django import template

from fupin.web.templatetags.fupin_web import yuan

register = template.Library()
register.filter("yuan", yuan)
