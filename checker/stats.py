"""Bounds for judging random katas by statistics instead of by exact values.

A bound sits `sigmas` standard errors from the exact expectation. At 6 the chance that a
correct implementation lands outside is about 2e-9 per check (normal tail), so suites stay
deterministic in practice while a wrong probability (p vs 1 - p, no scaling) lands far outside.
"""
from __future__ import annotations

import math

SIGMAS = 6.0


def binomial_range(p: float, n: int, sigmas: float = SIGMAS) -> tuple[float, float]:
    """Where the fraction of successes among n independent trials with chance p may land."""
    spread = sigmas * math.sqrt(p * (1.0 - p) / n)
    return p - spread, p + spread
