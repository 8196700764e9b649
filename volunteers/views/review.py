from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from statements import services
from statements.models import Statement, Status
from volunteers.forms import ReasonForm

QUEUE_PAGE_SIZE = 50


def reviewer_required(view):
    return login_required(
        permission_required("statements.review_statement", raise_exception=True)(view)
    )


@reviewer_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    """Statements in review, oldest first; `after` pages on by id (keyset)."""
    queue = Statement.objects.review_queue()
    try:
        after = int(request.GET.get("after", 0))
    except ValueError:
        after = 0
    page = list(queue.filter(id__gt=after)[: QUEUE_PAGE_SIZE + 1])
    return render(
        request,
        "volunteers/queue.html",
        {
            "statements": page[:QUEUE_PAGE_SIZE],
            "next_after": page[QUEUE_PAGE_SIZE - 1].id if len(page) > QUEUE_PAGE_SIZE else None,
            "waiting": queue.count(),
        },
    )


@reviewer_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.approve(statement_id=pk, reviewer=request.user)
    except services.TransitionRefused:
        messages.warning(
            request, _("Statement #%(id)s was already decided by someone else.") % {"id": pk}
        )
    else:
        messages.success(request, _("Statement #%(id)s is published.") % {"id": pk})
    return redirect("volunteers:review_queue")


@reviewer_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Statement #%(id)s: give a reason for not publishing.") % {"id": pk}
        )
        return redirect("volunteers:review_queue")
    try:
        services.reject(statement_id=pk, reviewer=request.user, reason=form.cleaned_data["reason"])
    except services.TransitionRefused:
        messages.warning(
            request, _("Statement #%(id)s was already decided by someone else.") % {"id": pk}
        )
    else:
        messages.success(request, _("Statement #%(id)s will not be published.") % {"id": pk})
    return redirect("volunteers:review_queue")


@reviewer_required
@require_safe
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """One statement in any status, with its audit trail."""
    statement = get_object_or_404(Statement, pk=pk)
    events = statement.audit_events.select_related("actor").order_by("created_at", "id")
    return render(
        request,
        "volunteers/statement.html",
        {
            "statement": statement,
            "events": events,
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
        return redirect("volunteers:review_queue")
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
