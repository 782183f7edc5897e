"""Checks a policy value must pass before it is saved, registered by the app that reads the key.

The policy app does not know what a procedure step is; the identification app does, so it
registers the check for its keys (in its AppConfig.ready) and a broken configuration is refused
when a province saves it, not when the next case is opened.
"""

from collections.abc import Callable

_VALIDATORS: dict[str, Callable[[object], object]] = {}


def register(key: str, check: Callable[[object], object]) -> None:
    """`check(value)` raises django.core.exceptions.ValidationError (Chinese) on a bad value."""
    _VALIDATORS[key] = check


def check_value(key: str, value) -> None:
    check = _VALIDATORS.get(key)
    if check is not None:
        check(value)
