"""`python app.py` serves the cockpit on the configured host and port (default http://127.0.0.1:8050)."""

from dashboard.core import settings
from dashboard.web.app import create_app
from dashboard.web.gate import QuietRequestHandler

app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(
        host=settings.get("HOST"),
        port=settings.get("PORT"),
        debug=settings.get("DEBUG"),
        request_handler=QuietRequestHandler,
    )
