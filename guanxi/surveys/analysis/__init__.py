"""Satisfaction analysis (SPEC G.4): the statistics every figure carries (stats.py) and driver analysis
(drivers.py); pure functions over pandas frames, results as plain data."""

from .stats import Figure, csat, mean_score, min_sample, nps

_DRIVERS = frozenset({"DIMENSIONS", "OPERATIONAL", "DriverEffect", "DriverResult", "driver_analysis",
                      "importance_chart", "lmg_shares"})


def __getattr__(name: str):
    """The driver engine (statsmodels, pandas) loads on first use, not with every page's start-up."""
    if name in _DRIVERS:
        from . import drivers

        return getattr(drivers, name)
    raise AttributeError(name)

__all__ = [
    "DIMENSIONS", "OPERATIONAL", "DriverEffect", "DriverResult", "Figure", "csat", "driver_analysis",
    "importance_chart", "lmg_shares", "mean_score", "min_sample", "nps",
]
