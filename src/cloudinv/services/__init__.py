"""Services: one module per resource, plus authentication. Plain synchronous Python."""
