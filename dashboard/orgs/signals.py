"""What the organizations app tells the rest of the dashboard."""

from django.dispatch import Signal

# Sent once an organization was added, changed or deleted in the admin, or its token re-encrypted
# (`rotate_org_tokens`), with `request` (None from a command), `action` ("created", "changed" or
# "deleted") and `detail`: one line naming the organization and the fields that changed, never a
# token. The access app records it in the audit log (this app sits below it and cannot).
organization_edited = Signal()
