"""The 公海 public pool: unowned leads (marketing.Lead.owner empty) and unowned customers
(customers.Customer.owner empty) that representatives claim within their claim limits; recycling
rules (no follow-up for N days, no deal won in M days, contract ended; for chosen value tiers; in
calendar or Chinese working days) that warn the owner before and then return neglected records to
the pool on a schedule; a log of every claim, release, assignment, warning and return. Sits above
sales (it reads deals) and below the orders app (which registers its contract-end source here).
"""
