"""Shapes of the pages' input, one module per noun: `customers`, `profile`, `history` and `imports`.
Field rules are not repeated here: the customer form checks with `customers.validation`, the
services decide."""
