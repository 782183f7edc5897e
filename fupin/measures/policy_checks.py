"""Checks of the measures.* policy values, registered with the policy app: an override with an unknown
indicator, weights not summing to 1 or k outside (0, 1] is refused when saved."""

from .af import INDICATORS_KEY, K_KEY, parse_indicators, parse_k


def check_indicators(value) -> None:
    parse_indicators(value)


def check_k(value) -> None:
    parse_k(value)


CHECKS = {INDICATORS_KEY: check_indicators, K_KEY: check_k}
