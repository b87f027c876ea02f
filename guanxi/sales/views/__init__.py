"""Pages of the sales app, one module per noun."""
