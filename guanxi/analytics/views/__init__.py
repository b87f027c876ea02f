"""Pages of analytics, one module per analysis (dashboards, explorer, churn, ...)."""
