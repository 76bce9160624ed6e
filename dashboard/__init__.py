"""Fiscal Cockpit (财政运行监测驾驶舱). The packages are the layers, lowest first (see ARCHITECTURE.md):
`core` (no dash, no flask), `store` and `state` (the two stores), `risk` and `demo`, then `queries` (top level),
`ui` (the one kit), `web` (the perimeter and the app factory), and the top-level `pages` and `callbacks`."""
