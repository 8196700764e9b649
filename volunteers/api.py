"""The review API for tools: claim a batch, send decisions, release. `Authorization:
Token <token>`, permission `statements.review_statement`; the same leases, gate and audit
as the review page, through the same services."""

from __future__ import annotations

from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response

from statements import review
from statements.api import PublicAPIView
from statements.models import Flag, Statement
from volunteers import workspace
from volunteers.authentication import ApiTokenAuthentication
from volunteers.serializers import (
    ClaimSerializer,
    DecisionsSerializer,
    LeaseSerializer,
    ReviewStatementSerializer,
)


class CanReview(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("statements.review_statement"))


class ReviewAPIView(PublicAPIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [CanReview]


def lease_body(lease) -> dict:
    statements = list(review.batch(lease))
    clusters = Statement.objects.clusters(
        {s.content_hash for s in statements},
        duplicates={s.content_hash for s in statements if Flag.DUPLICATE in s.screening_flags},
    )
    return {
        "lease": str(lease.pk),
        "expires_at": lease.expires_at,
        "statements": ReviewStatementSerializer(
            statements, many=True, context={"clusters": clusters}
        ).data,
    }


class Claim(ReviewAPIView):
    """POST {} or {"size": N}: the reviewer's batch (their live lease, extended and topped
    up to N, or a new one)."""

    def post(self, request: Request) -> Response:
        serializer = ClaimSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lease = workspace.claim(reviewer=request.user, size=serializer.validated_data.get("size"))
        return Response(lease_body(lease))


class Decisions(ReviewAPIView):
    """POST {"lease", "decisions": [{"id", "decision", "reason", "note", "override"}]}:
    one result per item, in order. Approvals and rejections are decided together, set
    based (statements.review.decide)."""

    def post(self, request: Request) -> Response:
        serializer = DecisionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["decisions"]
        outcome = review.decide(
            reviewer=request.user,
            lease_id=serializer.validated_data["lease"],
            decisions=[
                review.Decision(
                    item["id"],
                    item["decision"],
                    override=item["override"],
                    reason=item["rejection"],
                    note=item["note"],
                )
                for item in items
            ],
        )
        results, seen = [], set()
        for item in items:
            if item["id"] in seen:
                result, detail = "refused", review.REPEATED
            else:
                result, detail = outcome.result(item["id"])
            seen.add(item["id"])
            results.append({"id": item["id"], "outcome": result, "detail": detail})
        return Response({"results": results})


class Release(ReviewAPIView):
    """POST {"lease"}: give back what is left of it. 409 if it is not a live lease of yours."""

    def post(self, request: Request) -> Response:
        serializer = LeaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lease_id = serializer.validated_data["lease"]
        try:
            workspace.release(reviewer=request.user, lease_id=lease_id)
        except review.LeaseRefused:
            return Response(
                {"detail": "lease_not_live", "lease": str(lease_id)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response({"lease": str(lease_id), "released": True})
