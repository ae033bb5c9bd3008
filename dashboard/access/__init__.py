"""Who may see and do what: roles, the reader of a page (a person or a share link), share links
and the audit log."""
