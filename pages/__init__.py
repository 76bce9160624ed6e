"""Pages: one module per page, `dash.register_page(...)` and `layout(**query)`; layout only, no data access."""

PAGE_MODULES = ("pages.overview", "pages.revenue", "pages.spending", "pages.procurement", "pages.subsidies")
