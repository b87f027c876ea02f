"""Adapters to the outside world (SMS, e-mail, IVR/CTI, WeChat), each with a local backend."""
