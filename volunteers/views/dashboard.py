from datetime import timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from counts.days import tally_today
from counts.models import IntakeTally, QueueSnapshot, ReviewerHour, TallyDrift
from statements.choices import Channel, Flag
from statements.models import ReviewLease, Statement

HOURS = 24
# Tally drift the nightly reconciliation found in this many days is shown, newest first.
DRIFT_DAYS = 7
DRIFT_SHOWN = 20


@login_required
@permission_required("volunteers.view_audit", raise_exception=True)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The coordinators' view of the day. Every figure is a precomputed row (counts'
    review rollup, every 15 s) or an index-only seek: nothing here scans statements."""
    now = timezone.now()
    today = tally_today()
    head = Statement.objects.review_queue().values_list("queued_at", flat=True).first()
    intake = list(IntakeTally.objects.filter(day=today).order_by("channel"))
    flags: dict[str, int] = {}
    for tally in intake:
        for flag, count in tally.flags.items():
            flags[flag] = flags.get(flag, 0) + count
    return render(
        request,
        "volunteers/dashboard.html",
        {
            "snapshot": QueueSnapshot.objects.filter(pk=1).first(),
            "longest_wait": _hours_minutes(now - head) if head else None,
            "intake": [(Channel(t.channel).label, t.total) for t in intake],
            "intake_total": sum(t.total for t in intake),
            "flags": [(Flag(f).label, flags.get(f, 0)) for f in Flag.values],
            **_reviewer_hours(now),
            "leases": ReviewLease.objects.filter(ended_at__isnull=True, expires_at__gt=now)
            .select_related("reviewer")
            .order_by("expires_at"),
            "can_break": request.user.has_perm("statements.break_lease"),
            "drift_days": DRIFT_DAYS,
            # Normally empty: each row is a figure the rollup had wrong and the
            # reconciliation fixed (on its found_at index).
            "drift": TallyDrift.objects.filter(
                found_at__gte=now - timedelta(days=DRIFT_DAYS)
            ).order_by("-found_at", "-id")[:DRIFT_SHOWN],
        },
    )


def _hours_minutes(wait: timedelta) -> tuple[int, int]:
    minutes = max(int(wait.total_seconds() // 60), 0)
    return divmod(minutes, 60)


def _reviewer_hours(now) -> dict:
    """Decisions per reviewer in each of the last 24 clock hours, newest hour first."""
    current = now.replace(minute=0, second=0, microsecond=0)
    hours = [current - timedelta(hours=n) for n in range(HOURS)]
    rows = ReviewerHour.objects.filter(hour__gte=hours[-1]).select_related("reviewer")
    table: dict[int, dict] = {}
    for row in rows:
        entry = table.setdefault(
            row.reviewer_id, {"reviewer": row.reviewer, "by_hour": {}, "total": 0}
        )
        entry["by_hour"][row.hour] = row.decisions
        entry["total"] += row.decisions
    reviewers = sorted(table.values(), key=lambda e: (-e["total"], e["reviewer"].get_username()))
    for entry in reviewers:
        entry["cells"] = [entry["by_hour"].get(hour, 0) for hour in hours]
        entry["per_hour"] = round(entry["total"] / HOURS, 1)
    return {"hours": hours, "reviewers": reviewers}
