"""`manage.py api_token create|list|revoke`: personal API tokens from the command line.

`create` prints the new token once, alone on the last line of its output, so a script can take
it with `tail -n 1`.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.api.models import APIToken
from dashboard.api.tokens import issue_token, revoke_token


class Command(BaseCommand):
    help = "Creates, lists or revokes personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a token and print it once.")
        create.add_argument("--user", required=True, help="The account the token reads as.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument("--days", type=int, default=None, help="Days until it expires (default: never).")
        listing = actions.add_parser("list", help="List tokens (never the tokens themselves).")
        listing.add_argument("--user", help="Only this account's.")
        revoke = actions.add_parser("revoke", help="Revoke a token by its number (see list).")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No account is called {options['user']!r}.")
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        row, token = issue_token(user, options["name"], options["days"])
        expiry = f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else "never expires"
        self.stdout.write(f"Token #{row.pk} “{row.name}” for {user.get_username()} ({expiry}). It is not shown again:")
        self.stdout.write(token)

    def _list(self, options: dict[str, Any]) -> None:
        rows = APIToken.objects.select_related("user")
        if options.get("user"):
            rows = rows.filter(user__username=options["user"])
        for row in rows:
            used = f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
            self.stdout.write(f"#{row.pk}  {row.prefix}…  {row.user.get_username()}  {row.state}  {used}  {row.name}")

    def _revoke(self, options: dict[str, Any]) -> None:
        row = APIToken.objects.filter(pk=options["id"]).first()
        if row is None:
            raise CommandError(f"There is no token #{options['id']}.")
        self.stdout.write(
            f"Revoked #{row.pk} “{row.name}”." if revoke_token(row) else f"#{row.pk} was revoked already."
        )
