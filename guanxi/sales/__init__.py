"""Sales (销售): the sales organisation (regions, outlets, sales channels, where each representative
works), opportunities (商机) with configurable stages, stage history, competitors and won/lost
reasons, the kanban board, the weighted forecast with quotas and attainment, the funnel and big-deal
alerts to managers, and lead conversion (a lead becomes customer, contact and opportunity). The 公海
pool is its own app above this one (guanxi.pool).
Representatives and managers are `accounts.User` (roles SALES_REP / SALES_MANAGER) in sales teams.
"""
