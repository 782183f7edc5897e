"""API views: thin adapters from HTTP to the selectors and services of each app."""
