from django.contrib.auth.backends import ModelBackend

from .services import LoginRefused, authenticate_user


class LockoutAwareBackend(ModelBackend):
    """Every password check in the system goes through authenticate_user (lockout, audit)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        try:
            return authenticate_user(username=username, password=password)
        except LoginRefused:
            return None
