"""Marketing (市场营销): leads (潜在客户/线索) captured from the UI, the API, file imports and public web
forms, checked for duplicates against leads and customers, and qualified; campaigns (营销活动) with
target groups from saved segments and filters, frozen members, SMS/e-mail sending and calls as tasks,
opt-outs (退订), responses, expense claims (费用报销) and ROI from the registered revenue sources
(`revenue.py`). Registers its leads and campaigns on the customer timeline and its demo steps in
`apps.py`. Sales (above it) converts qualified leads, runs the 公海 pool and registers won deals as
campaign revenue.
"""
