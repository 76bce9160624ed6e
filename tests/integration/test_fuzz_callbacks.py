"""Every registered callback, driven with generated payloads as a signed-in user, answers without a 5xx: malformed
values get the validated defaults or a 400, malformed requests a 400 (dashboard.web.boundary).

At least 1,000 payloads (FUZZ_EXAMPLES), bounded to well under a minute on the test store: each example is one
POST of one callback with every input and state drawn from values a forged request may carry (a year of '²' or of
5,000 digits, a cursor ['abc', '1'] on a money sort, lists where dicts belong, deep nesting, huge numbers)."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = 1100
WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])
NASTY_TEXT = [
    "²",
    "٢٠٢٤",
    "2024",
    "1-6",
    "13-2",
    "430100",
    "430000",
    "abc",
    "",
    " ",
    "9" * 5000,
    "-1",
    "1e9",
    "NaN",
    '<a href="https://evil.example/">外链</a>',
    "'; drop table x; --",
    "../../etc",
    "\x00",
    "全部",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=30),
)
KEYS = [
    "region",
    "year",
    "period",
    "sort",
    "desc",
    "stack",
    "next",
    "reason",
    "ticket",
    "points",
    "customdata",
    "location",
    "width",
    "height",
    "metric",
    "search",
    "filter",
    "page",
    "status",
    "contents",
    "filename",
]
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=12,
)


def _component_id(text: str):
    return json.loads(text) if text.startswith("{") else text


def _concrete(draw, raw: str) -> list:
    """The ids a dependency stands for: a plain id once, a wildcard id 0–2 times with generated keys."""
    ident = _component_id(raw)
    if not isinstance(ident, dict) or not any(v in WILDCARDS for v in ident.values()):
        return [ident]
    count = draw(st.integers(min_value=0, max_value=2))
    return [
        {
            k: (draw(st.sampled_from(["spending", "a", "next", "show", "x"])) if v in WILDCARDS else v)
            for k, v in ident.items()
        }
        for _ in range(count)
    ]


def _dependencies(draw, specs: list[dict]) -> list:
    out = []
    for spec in specs:
        ident = _component_id(spec["id"])
        ids = _concrete(draw, spec["id"])
        items = [{"id": i, "property": spec["property"], "value": draw(values)} for i in ids]
        wildcard = isinstance(ident, dict) and any(v in WILDCARDS for v in ident.values())
        out.append(items if wildcard else items[0])
    return out


@st.composite
def payloads(draw, callbacks: list[tuple[str, dict]]):
    key, spec = draw(st.sampled_from(callbacks))
    outputs = []
    for part in key.strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        ids = _concrete(draw, ident)
        items = [{"id": i, "property": prop.split("@")[0]} for i in ids]
        outputs.append(items if ident.startswith("{") and any(w[0] in ident for w in WILDCARDS) else items[0])
    inputs = _dependencies(draw, spec.get("inputs", []))
    state = _dependencies(draw, spec.get("state", []))
    changed = [
        f"{json.dumps(d['id'], sort_keys=True, separators=(',', ':')) if isinstance(d['id'], dict) else d['id']}"
        f".{d['property']}"
        for d in (x for i in inputs for x in (i if isinstance(i, list) else [i]))
    ][:1]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }
    broken = draw(st.sampled_from([None, None, None, None, "no-inputs", "unknown-output", "inputs-not-list", "list"]))
    if broken == "no-inputs":
        body.pop("inputs")
    elif broken == "unknown-output":
        body["output"] = "nothing.children"
    elif broken == "inputs-not-list":
        body["inputs"] = draw(scalars)
    elif broken == "list":
        return key, [body]
    return key, body


def test_no_generated_callback_payload_gets_a_5xx(app, client):
    callbacks = sorted(app.callback_map.items())
    assert len(callbacks) >= 30
    seen: dict[int, int] = {}
    failures: list[tuple[int, str, str]] = []
    started = time.process_time()  # CPU time: the bound holds on a machine shared with other work

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(payloads(callbacks))
    def post(drawn):
        key, body = drawn
        response = client.post("/_dash-update-component", json=body)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append((response.status_code, key, json.dumps(body, ensure_ascii=False)[:300]))

    post()
    assert sum(seen.values()) >= 1000, seen
    assert failures == [], (len(failures), failures[:5])
    assert time.process_time() - started < 60
    assert seen.get(200, 0) + seen.get(204, 0) > 100, seen  # the fuzz reaches the callbacks, not only the gate
