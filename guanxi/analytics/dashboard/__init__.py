"""The executive dashboard (领导驾驶舱, EIS): its figures computed from the star schema."""
