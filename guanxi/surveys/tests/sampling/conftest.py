"""The interaction history of the contact-profile tests, reused by the frame-query tests."""

from guanxi.segments.tests.test_contact_profiles import history  # noqa: F401
