from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fupin.accounts.models import ApiToken
from fupin.accounts.services import api_token_create
from fupin.core.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _tokens(key_hash):
    return ApiToken.objects.select_related("user", "user__region").filter(key_hash=key_hash, revoked=False)


def test_same_objects_as_the_queryset(users):
    token, _ = api_token_create(user=users["county"])
    token.last_used_at = timezone.now() - timedelta(hours=1)
    token.save(update_fields=["last_used_at"])
    api_token_create(user=users["township_a"])
    prepared = PreparedQuery(_tokens)
    for _ in range(2):  # compiled on the first call, reused on the second
        with CaptureQueriesContext(connection) as ctx:
            [got] = prepared(key_hash=token.key_hash)
        assert len(ctx.captured_queries) == 1
        [want] = _tokens(token.key_hash)
        for field in ApiToken._meta.concrete_fields:  # converted values (datetimes, booleans)
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
        assert got.expires_at.tzinfo is not None and got.revoked is False
        assert got.user.username == "county" and got.user.is_active is True
        assert got.user.region.code == users["county"].region.code  # select_related filled in
        assert got.user.region.name == want.user.region.name
        assert got._state.db == "default" and not got._state.adding
    assert prepared(key_hash="no such hash") == []
    token.revoked = True
    token.save(update_fields=["revoked"])
    assert prepared(key_hash=token.key_hash) == []  # the fixed conditions stay in the SQL


def test_integer_parameters(users):
    token, _ = api_token_create(user=users["county"])
    api_token_create(user=users["county"])
    prepared = PreparedQuery(lambda user_id, pk: ApiToken.objects.filter(user_id=user_id).exclude(pk=pk).order_by("pk"))
    want = list(ApiToken.objects.filter(user_id=users["county"].pk).exclude(pk=token.pk).order_by("pk"))
    assert [t.pk for t in prepared(user_id=users["county"].pk, pk=token.pk)] == [t.pk for t in want] != []
    assert prepared(user_id=users["township_a"].pk, pk=token.pk) == []


def test_rejects_what_it_cannot_bind():
    for wrong in (True, None, b"x"):
        with pytest.raises(TypeError):
            PreparedQuery(_tokens)(key_hash=wrong)
    with pytest.raises(ValueError):  # contains: the SQL carries %value%, not the value
        PreparedQuery(lambda key_hash: ApiToken.objects.filter(key_hash__contains=key_hash))(key_hash="a")
    with pytest.raises(ValueError):  # an int compared with a text column is bound as text
        PreparedQuery(_tokens)(key_hash=1)
