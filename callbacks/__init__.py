"""Callbacks: one module per page, each with `register(app)`; thin: state → queries → views."""

CALLBACK_MODULES = ("callbacks.overview", "callbacks.screen", "callbacks.revenue", "callbacks.spending",
                    "callbacks.procurement", "callbacks.subsidies", "callbacks.transfers", "callbacks.debt",
                    "callbacks.risk", "callbacks.warnings", "callbacks.admin_users", "callbacks.admin_audit")
