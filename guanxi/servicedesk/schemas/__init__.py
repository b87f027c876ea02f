"""Request and response shapes of the service desk API, one module per noun."""
