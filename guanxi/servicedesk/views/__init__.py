"""The service desk's pages, one module per noun; thin views over the selectors and services."""
