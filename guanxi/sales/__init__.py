"""Sales (销售): the sales organisation (regions, outlets, sales channels, where each representative
works), opportunities (商机) with configurable stages, stage history, competitors and won/lost
reasons, the kanban board, the weighted forecast with quotas and attainment, the funnel and big-deal
alerts to managers. Leads, the 公海 pool, orders, contracts and 回款 come into this app later.
Representatives and managers are `accounts.User` (roles SALES_REP / SALES_MANAGER) in sales teams.
"""
