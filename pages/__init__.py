"""Pages: one module per page, `dash.register_page(...)` and `layout(**query)`; layout only, no data access."""

PAGE_MODULES = ("pages.overview", "pages.screen", "pages.revenue", "pages.spending", "pages.procurement",
                "pages.subsidies", "pages.transfers", "pages.debt", "pages.risk", "pages.warnings", "pages.admin_users",
                "pages.admin_audit")
