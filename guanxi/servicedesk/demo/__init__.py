"""Demo data of the service desk, played through its services: cases and promises."""
