"""The review workspace: one page per claimed batch, decided with one form (or key by key
with review.js, which posts to the same views and asks for JSON), plus the statement
page with its history."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from statements import review as review_service
from statements import services
from statements.models import AuditEvent, Flag, RejectionReason, Statement, Status
from volunteers import workspace
from volunteers.forms import DecisionForm, ReasonForm, RedactForm


def reviewer_required(view):
    return login_required(
        permission_required("statements.review_statement", raise_exception=True)(view)
    )


def wants_json(request: HttpRequest) -> bool:
    """review.js asks for JSON; a plain form post gets a redirect and messages."""
    return request.headers.get("Accept", "").startswith("application/json")


def refusal_text(detail: str) -> str:
    return {
        review_service.NOT_LIVE: _("your batch has expired or was released"),
        review_service.NOT_HELD: _("it is no longer in your batch"),
        review_service.BLOCKED: _(
            "it contains personal details: mask them or give a reason to publish anyway"
        ),
        review_service.ENTERED_BY_YOU: _("you entered it, so someone else reviews it"),
    }.get(detail, detail)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Where sign-in lands: a reviewer's workspace; anyone else (a volunteer who enters
    statements, an account without a role) their account page, not a 403."""
    if request.user.has_perm("statements.review_statement"):
        return batch(request)
    return redirect("volunteers:account")


@reviewer_required
@require_safe
def batch(request: HttpRequest) -> HttpResponse:
    """The reviewer's claimed batch, or a button to claim one. A fixed number of queries
    whatever the batch size, and no count over the queue."""
    now = timezone.now()
    lease = review_service.live_lease(reviewer=request.user, now=now)
    statements = list(review_service.batch(lease)) if lease else []
    clusters = Statement.objects.clusters(
        {s.content_hash for s in statements},
        duplicates={s.content_hash for s in statements if Flag.DUPLICATE in s.screening_flags},
    )
    reasons = list(RejectionReason.objects.active()) if statements else []
    flag_labels = dict(Flag.choices)
    rows = []
    for statement in statements:
        cluster = clusters.get(statement.content_hash)
        rows.append(
            {
                "statement": statement,
                "flags": [flag_labels.get(f, f) for f in statement.screening_flags],
                "blocked": bool(statement.blocking_flags),
                "cluster_size": cluster.size if cluster else 1,
                "earliest": cluster.earliest
                if cluster and cluster.earliest != statement.pk
                else None,
            }
        )
    return render(
        request,
        "volunteers/review/batch.html",
        {
            "lease": lease,
            "rows": rows,
            "reasons": reasons,
            "recent": recent_decisions(request.user, now=now),
        },
    )


def recent_decisions(user, *, now) -> list[AuditEvent]:
    """The reviewer's decisions of the last REVIEW_UNDO_MINUTES that can still be undone,
    newest first, one per statement."""
    events = (
        AuditEvent.objects.filter(
            actor=user,
            action__in=[AuditEvent.Action.APPROVED, AuditEvent.Action.REJECTED],
            created_at__gte=now - timedelta(minutes=settings.REVIEW_UNDO_MINUTES),
        )
        .select_related("statement")
        .order_by("-created_at", "-id")[:50]
    )
    seen, recent = set(), []
    for event in events:
        if event.statement_id in seen:
            continue
        seen.add(event.statement_id)
        if event.statement.status == event.to_status:
            recent.append(event)
    return recent


@reviewer_required
@require_POST
def claim(request: HttpRequest) -> HttpResponse:
    lease = workspace.claim(reviewer=request.user)
    if not review_service.batch(lease).exists():
        messages.info(request, _("Nothing is waiting for review right now."))
    return redirect("volunteers:review")


@reviewer_required
@require_POST
def release(request: HttpRequest) -> HttpResponse:
    try:
        workspace.release(reviewer=request.user, lease_id=request.POST.get("lease", ""))
    except review_service.LeaseRefused:
        messages.warning(request, _("That batch was no longer yours to release."))
    else:
        messages.success(request, _("Your batch went back to the queue."))
    return redirect("volunteers:review")


def _statement_ids(request: HttpRequest) -> list[int]:
    ids = []
    for raw in request.POST.getlist("statement")[: settings.REVIEW_BATCH_MAX]:
        if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
            ids.append(int(raw))
    return ids


@reviewer_required
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    """The batch form, sent once: a choice per statement. With JavaScript, the same
    fields for one statement at a time, answered as JSON."""
    reasons = {r.pk: r for r in RejectionReason.objects.active()}
    decisions, invalid = [], {}
    for pk in dict.fromkeys(_statement_ids(request)):
        form = DecisionForm(request.POST, prefix=str(pk), reasons=reasons)
        if not form.is_valid():
            invalid[pk] = " ".join(str(e) for errors in form.errors.values() for e in errors)
            continue
        if form.cleaned_data["choice"]:
            decisions.append(
                review_service.Decision(
                    pk,
                    form.cleaned_data["choice"],
                    override=form.cleaned_data["override"],
                    reason=form.reason_object(),
                    note=form.cleaned_data["note"],
                )
            )
    outcome = review_service.decide(
        reviewer=request.user, lease_id=request.POST.get("lease", ""), decisions=decisions
    )
    if wants_json(request):
        results = [
            {"id": pk, "outcome": "refused", "detail": message} for pk, message in invalid.items()
        ]
        for decision in decisions:
            result, detail = outcome.result(decision.statement_id)
            results.append(
                {"id": decision.statement_id, "outcome": result, "detail": refusal_text(detail)}
            )
        return JsonResponse({"results": results})
    report(request, outcome, invalid)
    return redirect("volunteers:review")


def report(request: HttpRequest, outcome: review_service.Outcome, invalid: dict) -> None:
    if n := len(outcome.approved):
        messages.success(
            request,
            ngettext("%(n)s statement published.", "%(n)s statements published.", n) % {"n": n},
        )
    if n := len(outcome.rejected):
        messages.success(
            request,
            ngettext("%(n)s statement declined.", "%(n)s statements declined.", n) % {"n": n},
        )
    if n := len(outcome.skipped):
        messages.success(
            request,
            ngettext("%(n)s statement skipped.", "%(n)s statements skipped.", n) % {"n": n},
        )
    for pk, why in outcome.refused.items():
        messages.warning(
            request,
            _("#%(id)s was not decided: %(why)s.") % {"id": pk, "why": refusal_text(why)},
        )
    for pk, why in invalid.items():
        messages.error(request, _("#%(id)s was not decided: %(why)s") % {"id": pk, "why": why})
    if not (outcome.approved or outcome.rejected or outcome.skipped or outcome.refused or invalid):
        messages.info(request, _("No decision was chosen."))


@reviewer_required
@require_POST
def approve_unflagged(request: HttpRequest) -> HttpResponse:
    """Publish every statement of the batch that screening flagged for nothing."""
    try:
        outcome, left = review_service.approve_unflagged(
            reviewer=request.user, lease_id=request.POST.get("lease", "")
        )
    except review_service.LeaseRefused:
        messages.warning(request, _("Your batch has expired or was released."))
        return redirect("volunteers:review")
    report(request, outcome, {})
    if left:
        messages.info(
            request,
            ngettext(
                "%(n)s flagged statement was left for you to decide.",
                "%(n)s flagged statements were left for you to decide.",
                left,
            )
            % {"n": left},
        )
    return redirect("volunteers:review")


@reviewer_required
@require_POST
def decline_cluster(request: HttpRequest) -> HttpResponse:
    """Decline every waiting copy of a statement in the batch, with the reason chosen on
    its row (`cluster` names the statement)."""
    raw = request.POST.get("cluster", "")
    pk = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63 else None
    reasons = {r.pk: r for r in RejectionReason.objects.active()}
    form = DecisionForm(request.POST, prefix=str(pk), reasons=reasons)
    if pk is None or not form.is_valid() or form.reason_object() is None:
        messages.error(request, _("Choose a reason to decline the copies."))
        return redirect("volunteers:review")
    declined = review_service.reject_cluster(
        reviewer=request.user,
        lease_id=request.POST.get("lease", ""),
        statement_id=pk,
        reason=form.reason_object(),
        note=form.cleaned_data["note"],
    )
    if declined:
        messages.success(
            request,
            ngettext(
                "%(n)s copy declined.",
                "%(n)s copies declined.",
                len(declined),
            )
            % {"n": len(declined)},
        )
    else:
        messages.warning(
            request,
            _("#%(id)s was not decided: %(why)s.")
            % {"id": pk, "why": refusal_text(review_service.NOT_HELD)},
        )
    return redirect("volunteers:review")


@reviewer_required
@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("statement", "")
    pk = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63 else 0
    if pk and review_service.undo(reviewer=request.user, statement_id=pk):
        messages.success(request, _("#%(id)s is back in review.") % {"id": pk})
    else:
        messages.warning(request, _("#%(id)s can no longer be undone.") % {"id": pk})
    return redirect("volunteers:review")


@reviewer_required
@require_POST
def redact(request: HttpRequest, pk: int) -> HttpResponse:
    """Mask every occurrence of the characters typed (or selected, with review.js) in the
    statement's name and text."""
    form = RedactForm(request.POST)
    back = request.POST.get("next") == "statement"
    statement = None
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _redacted(request, pk, None, error, back, status=400)
    current = Statement.objects.filter(pk=pk).values("display_name", "text").first()
    if current is None:
        return _redacted(request, pk, None, _("No such statement."), back, status=404)
    found = False
    try:
        for field in review_service.REDACTABLE_FIELDS:
            spans = review_service.occurrences(current[field], form.cleaned_data["characters"])
            if spans:
                found = True
                statement = review_service.redact(
                    reviewer=request.user,
                    lease_id=form.cleaned_data["lease"],
                    statement_id=pk,
                    field=field,
                    spans=spans,
                )
    except review_service.EnteredByReviewer:
        why = refusal_text(review_service.ENTERED_BY_YOU)
        return _redacted(request, pk, None, why, back, 409)
    except review_service.LeaseRefused:
        return _redacted(request, pk, None, refusal_text(review_service.NOT_HELD), back, 409)
    except review_service.InvalidSpans:
        return _redacted(request, pk, None, _("Those characters are not there."), back, 400)
    if not found:
        return _redacted(request, pk, None, _("Those characters are not there."), back, 400)
    return _redacted(request, pk, statement, "", back)


def _redacted(request, pk, statement, error, back, status=200) -> HttpResponse:
    if wants_json(request):
        if statement is None:
            return JsonResponse({"error": error}, status=status)
        return JsonResponse(
            {
                "id": pk,
                "display_name": statement.display_name,
                "text": statement.text,
                "flags": statement.get_flags_display(),
                "blocked": bool(statement.blocking_flags),
            }
        )
    if statement is None:
        messages.error(request, _("#%(id)s: %(error)s") % {"id": pk, "error": error})
    else:
        messages.success(request, _("#%(id)s: masked and screened again.") % {"id": pk})
    if back:
        return redirect("volunteers:statement", pk=pk)
    return redirect("volunteers:review")


@login_required
@permission_required("statements.break_lease", raise_exception=True)
@require_POST
def break_lease(request: HttpRequest, lease_id) -> HttpResponse:
    try:
        lease = workspace.break_lease(coordinator=request.user, lease_id=lease_id)
    except review_service.LeaseRefused:
        messages.warning(request, _("That claim had already ended."))
    else:
        messages.success(
            request,
            _("The claim of %(name)s is broken; its statements are back in the queue.")
            % {"name": lease.reviewer.get_username()},
        )
    # Back where the button was: a statement's page, or the dashboard's list of batches.
    raw = request.POST.get("statement", "")
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
        return redirect("volunteers:statement", pk=int(raw))
    if request.POST.get("next") == "dashboard" and request.user.has_perm("volunteers.view_audit"):
        return redirect("volunteers:dashboard")
    return redirect("volunteers:review")


@reviewer_required
@require_safe
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """One statement in any status, with its audit trail. Who decided is shown only to
    those with `statements.view_deciders` (coordinators)."""
    statement = get_object_or_404(
        Statement.objects.select_related("rejection", "lease__reviewer", "entered_by"), pk=pk
    )
    show_deciders = request.user.has_perm("statements.view_deciders")
    events = statement.audit_events.select_related("actor").order_by("created_at", "id")
    if not show_deciders:
        # An entry's row names how it came (its detail, its very presence): coordinators'.
        events = events.exclude(action=AuditEvent.Action.ENTERED)
    now = timezone.now()
    lease = statement.lease if statement.status == Status.IN_REVIEW else None
    live = lease is not None and lease.is_live(now) and statement.lease_expires_at > now
    return render(
        request,
        "volunteers/statement.html",
        {
            "statement": statement,
            "events": events,
            "show_deciders": show_deciders,
            "held_by_me": live and lease.reviewer_id == request.user.pk,
            "held_lease": lease if live else None,
            "can_break": live and request.user.has_perm("statements.break_lease"),
            "can_remove": statement.status == Status.PUBLISHED
            and request.user.has_perm("statements.remove_statement"),
        },
    )


@reviewer_required
@require_safe
def find_statement(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("id", "").strip().lstrip("#")
    if not number.isascii() or not number.isdigit() or int(number) == 0:
        messages.error(request, _("Give a statement number."))
        return redirect("volunteers:review")
    return redirect("volunteers:statement", pk=int(number))


@login_required
@permission_required("statements.remove_statement", raise_exception=True)
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Statement #%(id)s: give a reason.") % {"id": pk})
        return redirect("volunteers:statement", pk=pk)
    try:
        services.remove(statement_id=pk, actor=request.user, reason=form.cleaned_data["reason"])
    except services.TransitionRefused:
        messages.warning(request, _("Statement #%(id)s is not published.") % {"id": pk})
    else:
        messages.success(
            request, _("Statement #%(id)s is removed from the list and the tallies.") % {"id": pk}
        )
    return redirect("volunteers:statement", pk=pk)
