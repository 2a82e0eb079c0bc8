"""Pictures. Each family keeps its own drawing module here; `common` holds what they share."""
