"""The customer's self-service portal (客户自助服务): the top layer; nothing imports it."""
