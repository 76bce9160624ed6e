"""Callbacks: one module per page, each with `register(app)`; thin: state → queries → views."""

CALLBACK_MODULES = ("callbacks.overview", "callbacks.revenue", "callbacks.spending", "callbacks.procurement",
                    "callbacks.subsidies")
