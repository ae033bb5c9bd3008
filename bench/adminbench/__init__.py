"""A bench-only Django app: the same agents as database rows under Django admin, for comparison."""
