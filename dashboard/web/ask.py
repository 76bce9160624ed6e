"""The question box (问数) of every staff page and of the screen: a GET form to `/ask`, which reads the question
with the caller's scope (`dashboard.ask`), audits it, and redirects to the view that answers it with `ask=<the
question>` in its URL; the shell's answer line reads that parameter and shows the one-sentence answer (or "没有理解…"
with suggestions, on the page the question was asked from). The URL is the state: an answer is a permalink.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit

from dash import Dash, Input, Output, dcc, html, no_update
from flask import Flask, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from dashboard.ask.answer import Answer, ask
from dashboard.core.drill import TEXT_MAX
from dashboard.state import audit
from dashboard.ui.props import wildcard
from dashboard.web.context import current_scope
from dashboard.web.gate import safe_next

log = logging.getLogger(__name__)
PATH = "/ask"
PARAM = "ask"
QUESTION_MAX = 100
PLACEHOLDER = "用中文提问,如:长沙市今年教育支出进度"


def ask_bar(search: str | None = None) -> html.Div:
    """The box and the answer line, for the shell (below the navbar; on the screen a corner of its own). The shell
    of a page whose address (`search`) asks a question (`?ask=`) comes with its answer already in it, so a first load
    asks no callback; the callback answers when the address changes inside the app."""
    text = _question_of(search)
    return html.Div(
        [
            html.Form(
                [
                    html.Label("问数", htmlFor="ask-q", className="ask-label"),
                    dcc.Input(
                        id="ask-q",
                        name="q",
                        type="search",
                        placeholder=PLACEHOLDER,
                        maxLength=QUESTION_MAX,
                        autoComplete="off",
                        debounce=True,
                        className="ask-input",
                        value=text,
                    ),
                    html.Button("提问", type="submit", className="btn btn-sm btn-primary ask-submit"),
                ],
                action=PATH,
                method="get",
                role="search",
                className="ask-form",
                **wildcard({"aria-label": "问数:用中文提问,回车查看答案"}),
            ),
            html.Div(
                answer_line(_safe_answer(text)) if text else [],
                id="ask-answer",
                role="status",
                className="ask-answer",
                **wildcard({"aria-live": "polite"}),
            ),
            dcc.Location(id="ask-url", refresh=False),
        ],
        id="ask-bar",
        className="ask-bar",
    )


def _question_of(search: str | None) -> str | None:
    values = dict(parse_qsl((search or "").lstrip("?")))
    text = values.get(PARAM)
    return text.strip()[:QUESTION_MAX] if text and text.strip() else None


def _safe_answer(text: str) -> Answer:
    """The answer, or a Chinese apology instead of a 500 when reading the store fails."""
    try:
        return ask(text, current_scope())
    except Exception:  # noqa: BLE001  (a question must never break the page it is asked on)
        log.exception("question failed: %r", text)
        return Answer(text, False, "暂时无法回答这个问题,请稍后再试。", outcome="failed")


def answer_line(result: Answer) -> list:
    """The answer (a sentence) or the refusal with links that ask the suggested questions."""
    if result.understood:
        return [html.Span("答:", className="ask-tag"), html.Span(result.text, className="ask-sentence")]
    links: list = []
    for i, suggestion in enumerate(result.suggestions):
        if i:
            links.append("、")
        links.append(html.A(suggestion, href=f"{PATH}?{urlencode({'q': suggestion})}", className="ask-suggestion"))
    return [html.Span(result.text, className="ask-refusal"), *links]


def _back_to(referrer: str | None, question: str) -> str:
    """The page the question came from (this site only), with `ask=` set so its answer line shows the refusal."""
    parts = urlsplit(referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return f"/?{urlencode({PARAM: question})}"
    path = safe_next(parts.path or "/")
    if path == PATH:
        path = "/"
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k != PARAM][:20]
    return f"{path}?{urlencode([*kept, (PARAM, question)])}"


def ask_route() -> BaseResponse:
    """`/ask?q=…`: audited, then to the view that answers it (or back, with the refusal)."""
    text = (request.args.get("q") or "").strip()[:QUESTION_MAX]
    if not text:
        return redirect(safe_next(urlsplit(request.referrer or "").path or "/"))
    result = _safe_answer(text)
    outcome = {"ok": "ok", "denied": "denied"}.get(result.outcome, "failed")
    audit.record(
        "ask",
        page=PATH,
        region=result.region,
        params={"q": text[:TEXT_MAX], "view": result.path or ""},
        detail=result.text[:500],
        outcome=outcome,
    )
    if result.understood and result.url:
        return redirect(result.url)
    return redirect(_back_to(request.referrer, text))


def register(app: Dash, server: Flask) -> None:
    """The route and the answer line's callback."""
    server.add_url_rule(PATH, "ask", ask_route)

    @app.callback(
        Output("ask-answer", "children"),
        Output("ask-q", "value"),
        Input("ask-url", "search"),
        prevent_initial_call=True,  # a first load's answer is in the shell (ask_bar)
    )
    def show_answer(search):
        text = _question_of(search)
        if text is None:
            return [], no_update
        return answer_line(_safe_answer(text)), text
