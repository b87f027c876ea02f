from guanxi.customers.services import customer_create


def make_customer(actor, **data):
    """A customer created through the service, as every real one is."""
    data.setdefault("kind", "individual")
    data.setdefault("name", "张三")
    tags = data.pop("tags", None)
    return customer_create(actor=actor, data=data, tags=tags)
