"""Shapes of the service desk pages' input, one module per noun; business rules stay in the services."""
