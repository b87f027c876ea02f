"""Forms of the sales pages, one module per noun."""
