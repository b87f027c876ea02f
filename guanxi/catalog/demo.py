def catalog_demo_load(**kwargs):
    return ""
