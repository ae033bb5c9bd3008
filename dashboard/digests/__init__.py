"""Change digests: each person subscribes to changes and new findings, delivered by e-mail and/or a webhook."""
