"""Churn early warning (客户流失预警): features as of a cut-off computed set-based in SQL
(`features`), a calibrated LightGBM model with per-customer reasons (`model`), services that
train, score and route the at-risk list (`services`) and scoped reads (`selectors`).

What churn means here: a live customer who was active (an interaction, an order or a service case)
in the 180 days before the cut-off and then shows no activity at all — no interaction, no order,
no payment — in the `horizon` days after it. The lifecycle stage "churned" is set by people, late
and unevenly, so it is not the label; it only takes customers out of the scored population.
"""
