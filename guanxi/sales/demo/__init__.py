"""The sales demo: the organisation and two years of 华星通信's opportunities."""
