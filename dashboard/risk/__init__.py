"""Risk: warning rules over the finance store, warnings and tickets in the application-state store."""
