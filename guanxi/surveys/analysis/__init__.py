"""Satisfaction analysis (SPEC G.4): the statistics every figure carries (stats.py) and driver analysis
(drivers.py); pure functions over pandas frames, results as plain data."""

from .drivers import DIMENSIONS, OPERATIONAL, DriverEffect, DriverResult, driver_analysis, importance_chart, lmg_shares
from .stats import Figure, csat, mean_score, min_sample, nps

__all__ = [
    "DIMENSIONS", "OPERATIONAL", "DriverEffect", "DriverResult", "Figure", "csat", "driver_analysis",
    "importance_chart", "lmg_shares", "mean_score", "min_sample", "nps",
]
