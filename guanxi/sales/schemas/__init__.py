"""Input and output shapes of the sales API, one module per noun."""
