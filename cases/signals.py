"""Signals other apps may listen to; `cases` never imports them.

`case_data_event` is sent when someone exports or imports case data (a sample's CRNs, a
caseload), so the audit trail in `audit` can record it without `cases` knowing of the trail.
Arguments: user, action ("exported" or "imported"), object_type, object_id, label, request,
detail (a dict).
"""

from django.dispatch import Signal

case_data_event = Signal()
