"""Marketing (市场营销): leads (潜在客户/线索) captured from the UI, the API, file imports and public web
forms, checked for duplicates against leads and customers, and qualified; campaigns come next.
Registers its leads on the customer timeline and its demo step in `apps.py`. Sales (above it)
converts qualified leads and runs the 公海 pool.
"""
