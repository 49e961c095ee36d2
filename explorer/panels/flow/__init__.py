"""The normalizing-flows panel."""
