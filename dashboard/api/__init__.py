"""The read-only JSON API under /api/v1/ (Django REST framework), and the personal tokens it is read with."""
