"""Hot read queries compiled to SQL once per database connection.

Turning a QuerySet into SQL (Django's SQL compiler) costs about 1 ms of CPU for a lookup that
selects related rows — several times executing it on a warm connection. For a query that runs on
every API request (the token lookup) that compile is paid once per connection instead: the query is
built with marker strings, compiled, and each call only binds new values into the compiled SQL and
turns the rows into model instances the way QuerySet iteration does (converters, select_related).

Only str and int parameters used as plain lookup values (exact, gte, lte… on text, integer and key
columns) are supported: they pass through compilation unchanged on every backend, so each marker is
found again among the compiled parameters. Anything else (dates, pattern lookups such as contains,
expressions) belongs in the query itself or is checked on the returned objects.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


@dataclass
class _Compiled:
    compiler: Any
    sql: str
    params: list
    kinds: dict[str, type]  # parameter name -> str or int
    slots: dict[str, list[int]]  # parameter name -> positions in params
    converters: dict  # column position -> the backend's and the field's value converters
    init_list: list[str]
    fields: slice
    related_populators: list


class PreparedQuery:
    """`build(**values)` returns the QuerySet; calling the PreparedQuery with the same keyword
    arguments (str or int) returns the list of model instances it would yield. The query's shape must
    not depend on the values (compile one PreparedQuery per shape)."""

    def __init__(self, build: Callable[..., QuerySet], *, using: str = "default"):
        self.build = build
        self.using = using
        # One compiled form per connection object (each thread has its own); the SQL stays valid
        # across reconnects of that connection.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection, kinds: dict[str, type]) -> _Compiled:
        # Markers no real value is: a random tagged string, or a random integer above 2**52.
        markers = {name: (f"fupin-marker-{secrets.token_hex(16)}" if kind is str else 2**52 + secrets.randbits(50))
                   for name, kind in kinds.items()}
        qs = self.build(**markers)
        if qs._known_related_objects or qs.query.annotation_select or qs._prefetch_related_lookups:
            raise ValueError("PreparedQuery：只支持普通模型查询（可带 select_related）")
        compiler = qs.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()  # also fills compiler.select and klass_info
        params = list(params)
        slots = {name: [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
                 for name, marker in markers.items()}
        missing = [name for name, at in slots.items() if not at]
        if missing or any(isinstance(p, str) and p.startswith("fupin-marker-") and p not in markers.values()
                          for p in params):
            raise ValueError(f"PreparedQuery：参数 {missing} 未原样出现在编译后的 SQL 参数中")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        converters = compiler.get_converters([s[0] for s in select[:compiler.col_count]])
        return _Compiled(compiler=compiler, sql=sql, params=params, kinds=dict(kinds), slots=slots,
                         converters=converters,
                         init_list=[f[0].target.attname for f in select[start:end]], fields=slice(start, end),
                         related_populators=get_related_populators(klass_info, select, self.using))

    def __call__(self, **values: str | int) -> list:
        kinds = {}
        for name, value in values.items():
            if type(value) not in (str, int):  # not bool, not subclasses
                raise TypeError(f"PreparedQuery：参数 {name} 应为字符串或整数")
            kinds[name] = type(value)
        connection = connections[self.using]
        compiled = self._compiled.get(connection)
        if compiled is None or compiled.kinds != kinds:
            compiled = self._compiled[connection] = self._compile(connection, kinds)
        params = list(compiled.params)
        for name, value in values.items():
            for i in compiled.slots[name]:
                params[i] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        model = compiled.compiler.klass_info["model"]
        objs = []
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        for row in rows:
            obj = model.from_db(self.using, compiled.init_list, row[compiled.fields])
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            objs.append(obj)
        return objs
