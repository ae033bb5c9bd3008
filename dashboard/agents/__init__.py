"""The agent pages: the overview, the list (filters, columns, sort, pages, exports), an agent's
page, compare, findings, parse problems and shared views."""
