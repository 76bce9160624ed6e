"""Callbacks: `callbacks/<page>.py` beside `pages/<page>.py`, with `register(app)`; thin: state → queries → ui.

Found by `dashboard.web.app` from the pages (same module name); a topic module also exports its `TOPIC`."""
