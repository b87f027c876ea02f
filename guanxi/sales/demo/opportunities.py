def sales_demo_load(*, seed, scale, staff, customers, now):
    return ""
