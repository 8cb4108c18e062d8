"""Several gateway instances as one: events and widget delivery over Redis (production)."""
