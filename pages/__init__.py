"""Pages: one module per page, `dash.register_page(...)` and `layout(**query)`; layout only, no data access.

Found by `dashboard.web.app` (every module not starting with `_`); no list to keep."""
