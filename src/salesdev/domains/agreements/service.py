"""Channel agreements: negotiated terms with a partner or a channel, versioned and approved.

Every change (creation, a change of terms, a change of status) appends an immutable
version holding the full snapshot, its author and time. Approval and activation must
be done by someone other than the author of the terms in force (``terms_author``).
A party has at most one active agreement, and two approved or active agreements of
the same party never overlap in time.

The commission schedule a version names (``commissionScheduleRef``) is the code of a
compensation plan: saving a version, and approving or activating the agreement, refuse a
code that names no plan (SDV-400 on create/revise, SDV-422 on a status move), so the
agreement always resolves to the plan that pays under it (:func:`commission_plan`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.core.ids import new_id
from salesdev.core.periods import parse_instant, require_aware
from salesdev.db.models import (
    ChannelAgreement,
    ChannelAgreementVersion,
    Partner,
    ProductFamily,
    SalesChannel,
)
from salesdev.db.models.compensation import CompensationPlan
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize, partner_rows_condition
from salesdev.domains.access.approval import require_second_person
from salesdev.domains.agreements.diff import FieldDifference, diff_snapshots
from salesdev.domains.agreements.terms import (
    TERM_FIELDS,
    iso,
    merge_patch,
    normalise_terms,
)
from salesdev.domains.agreements.workflow import (
    BINDING,
    EDITABLE,
    AgreementStatus,
    check_move,
    parse_status,
)
from salesdev.domains.compensation.plans import plan_code_exists

_COMMENT_LENGTH = 2000


# --- reading -------------------------------------------------------------------------------


def _scope(session: Session, principal: Principal) -> ColumnElement[bool] | None:
    """A partner user sees its own partner's agreements, never a channel's."""
    return partner_rows_condition(session, principal=principal, column=ChannelAgreement.partner_id)


def get_agreement(
    session: Session, *, principal: Principal, agreement_id: uuid.UUID
) -> ChannelAgreement:
    authorize(principal, Family.PARTNERS, "read")
    statement = select(ChannelAgreement).where(ChannelAgreement.id == agreement_id)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    agreement = session.scalar(statement)
    if agreement is None:
        raise NotFound(f"Channel agreement {agreement_id} does not exist")
    return agreement


AGREEMENT_ATTRIBUTES: dict[str, Attribute] = {
    "name": Attribute(ChannelAgreement.name),
    "partnerId": Attribute(ChannelAgreement.partner_id, parse=uuid.UUID),
    "channelId": Attribute(ChannelAgreement.channel_id, parse=uuid.UUID),
    "status": Attribute(ChannelAgreement.status),
    "validFrom": Attribute(ChannelAgreement.valid_from, parse=parse_instant),
    "validTo": Attribute(ChannelAgreement.valid_to, parse=parse_instant),
    "commissionScheduleRef": Attribute(ChannelAgreement.commission_schedule_ref),
    "updatedAt": Attribute(ChannelAgreement.updated_at, parse=parse_instant),
}


def list_agreements(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[ChannelAgreement]:
    authorize(principal, Family.PARTNERS, "read")
    statement = select(ChannelAgreement)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    return fetch_page(
        session,
        statement,
        attributes=AGREEMENT_ATTRIBUTES,
        query=query,
        tie_breaker=ChannelAgreement.id,
        default_sort=(SortKey("validFrom", descending=True),),
    )


def list_agreement_versions(
    session: Session, *, principal: Principal, agreement_id: uuid.UUID
) -> list[ChannelAgreementVersion]:
    """Every version, oldest first."""
    agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
    return list(
        session.scalars(
            select(ChannelAgreementVersion)
            .where(ChannelAgreementVersion.agreement_id == agreement.id)
            .order_by(ChannelAgreementVersion.number)
        )
    )


def get_agreement_version(
    session: Session, *, principal: Principal, agreement_id: uuid.UUID, number: int | None = None
) -> ChannelAgreementVersion:
    """One version; the latest when ``number`` is None."""
    agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
    return _version(session, agreement, agreement.latest_version if number is None else number)


def diff_versions(
    session: Session, *, principal: Principal, agreement_id: uuid.UUID, a: int, b: int
) -> list[FieldDifference]:
    """What changed from version ``a`` to version ``b`` of the agreement, field by field."""
    agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
    return diff_snapshots(
        _version(session, agreement, a, location="a").snapshot,
        _version(session, agreement, b, location="b").snapshot,
    )


def commission_plan(session: Session, agreement: ChannelAgreement) -> CompensationPlan | None:
    """The compensation plan the agreement's commission schedule names (None for an older
    agreement saved before schedules were checked). Unscoped: the caller has read the
    agreement; the plan itself stays behind the compensation permission."""
    return session.scalar(
        select(CompensationPlan).where(CompensationPlan.code == agreement.commission_schedule_ref)
    )


# --- writing -------------------------------------------------------------------------------


def create_agreement(
    session: Session,
    *,
    principal: Principal,
    terms: Mapping[str, Any],
    now: datetime,
    partner_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    comment: str = "",
) -> ChannelAgreement:
    """A draft agreement with a partner or with a channel (exactly one of them), version 1."""
    authorize(principal, Family.PARTNERS, "write")
    require_aware(now, location="now")
    comment = _comment(comment)
    party = _party(session, partner_id, channel_id)
    clean = _validated_terms(session, terms)
    _require_schedule(session, clean["commissionScheduleRef"], error=InvalidInput)
    agreement = ChannelAgreement(
        id=new_id(),
        partner_id=partner_id,
        channel_id=channel_id,
        status=AgreementStatus.DRAFT.value,
        latest_version=0,
        terms_author=principal.actor,
        created_at=now,
        updated_at=now,
    )
    _apply_terms(agreement, clean)
    session.add(agreement)
    _append_version(
        session,
        agreement,
        change="created",
        snapshot={**clean, "party": party, "status": agreement.status},
        principal=principal,
        now=now,
        comment=comment,
    )
    session.flush()
    return agreement


def revise_agreement(
    session: Session,
    *,
    principal: Principal,
    agreement_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> ChannelAgreement:
    """Change terms (a JSON merge patch on the snapshot) while draft or in negotiation.

    A patch that changes nothing creates no version.
    """
    agreement = _for_write(session, principal, agreement_id, expected_version, now)
    comment = _comment(comment)
    status = AgreementStatus(agreement.status)
    if status not in EDITABLE:
        raise RuleViolation(
            f"The terms of an agreement in {status} cannot change",
            [ErrorDetail("status", "terms change only while draft or in_negotiation")],
        )
    latest = _version(session, agreement, agreement.latest_version)
    current = {key: latest.snapshot[key] for key in TERM_FIELDS}
    merged = merge_patch(current, changes)
    clean = _validated_terms(session, merged)
    if clean == current:
        return agreement
    _require_schedule(session, clean["commissionScheduleRef"], error=InvalidInput)
    _apply_terms(agreement, clean)
    agreement.terms_author = principal.actor
    agreement.updated_at = now
    _append_version(
        session,
        agreement,
        change="revised",
        snapshot={**latest.snapshot, **clean},
        principal=principal,
        now=now,
        comment=comment,
    )
    session.flush()
    return agreement


def transition_agreement(
    session: Session,
    *,
    principal: Principal,
    agreement_id: uuid.UUID,
    to_status: str,
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> ChannelAgreement:
    """Move the agreement through its workflow; the move is a new version."""
    agreement = _for_write(session, principal, agreement_id, expected_version, now)
    comment = _comment(comment)
    current, target = AgreementStatus(agreement.status), parse_status(to_status)
    check_move(current, target)
    if target in (AgreementStatus.APPROVED, AgreementStatus.ACTIVE):
        _refuse_own_terms(agreement, principal, target)
        # Terms saved before schedules were checked must name a plan before they bind.
        _require_schedule(session, agreement.commission_schedule_ref, error=RuleViolation)
        _lock_party(session, agreement)
        _refuse_overlap(session, agreement)
    if target is AgreementStatus.ACTIVE:
        _refuse_second_active(session, agreement)
        if agreement.valid_to is not None and agreement.valid_to <= now:
            raise RuleViolation(
                f"The agreement's validity ended at {_iso(agreement.valid_to)}; it cannot become active",
                [ErrorDetail("validFor.endDateTime", "is in the past")],
            )
    if target is AgreementStatus.EXPIRED and (
        agreement.valid_to is None or agreement.valid_to > now
    ):
        raise RuleViolation(
            f"The agreement is valid until {_iso(agreement.valid_to)}; it has not expired",
            [ErrorDetail("to_status", "an agreement expires at the end of its validity")],
        )
    if target is AgreementStatus.TERMINATED and not comment:
        raise InvalidInput(
            "A reason is required to terminate an agreement", [ErrorDetail("comment", "say why")]
        )
    latest = _version(session, agreement, agreement.latest_version)
    agreement.status = target.value
    agreement.updated_at = now
    _append_version(
        session,
        agreement,
        change="status",
        snapshot={**latest.snapshot, "status": target.value},
        principal=principal,
        now=now,
        comment=comment,
    )
    session.flush()
    return agreement


# --- internals -------------------------------------------------------------------------------


def _for_write(
    session: Session,
    principal: Principal,
    agreement_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> ChannelAgreement:
    require_aware(now, location="now")
    agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
    authorize(principal, Family.PARTNERS, "write")
    if expected_version is not None and agreement.version != expected_version:
        raise PreconditionFailed(
            f"Channel agreement {agreement.id} was changed by someone else "
            f"(version {agreement.version}, you had {expected_version}); reload and try again"
        )
    return agreement


def _party(
    session: Session, partner_id: uuid.UUID | None, channel_id: uuid.UUID | None
) -> dict[str, str]:
    if (partner_id is None) == (channel_id is None):
        raise InvalidInput(
            "An agreement is with a partner or with a channel",
            [ErrorDetail("partner_id", "give exactly one of partner_id and channel_id")],
        )
    if partner_id is not None:
        if session.get(Partner, partner_id) is None:
            raise InvalidInput(
                "Invalid agreement", [ErrorDetail("partner_id", f"no partner with id {partner_id}")]
            )
        return {"kind": "partner", "id": str(partner_id)}
    if session.get(SalesChannel, channel_id) is None:
        raise InvalidInput(
            "Invalid agreement",
            [ErrorDetail("channel_id", f"no sales channel with id {channel_id}")],
        )
    return {"kind": "sales_channel", "id": str(channel_id)}


def _families(session: Session, terms: Mapping[str, Any]) -> set[str]:
    allowances = terms.get("discountAllowances")
    if not isinstance(allowances, Mapping) or not allowances:
        return set()
    codes = [str(code) for code in allowances]
    return set(session.scalars(select(ProductFamily.code).where(ProductFamily.code.in_(codes))))


def _validated_terms(session: Session, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical terms; when they are invalid, an unknown commission schedule is
    reported with the other problems, so one answer names every field to fix."""
    try:
        return normalise_terms(raw, known_families=_families(session, raw))
    except InvalidInput as exc:
        code = raw.get("commissionScheduleRef")
        named = code.strip() if isinstance(code, str) else ""
        reported = {d.location for d in exc.details}
        if (
            named
            and "commissionScheduleRef" not in reported
            and not plan_code_exists(session, named)
        ):
            raise InvalidInput(exc.message, [*exc.details, _schedule_problem(named)]) from None
        raise


def _schedule_problem(code: str) -> ErrorDetail:
    return ErrorDetail(
        "commissionScheduleRef", f"no compensation plan with code {code!r}; give the code of a plan"
    )


def _require_schedule(
    session: Session, code: str, *, error: type[InvalidInput] | type[RuleViolation]
) -> None:
    if not plan_code_exists(session, code):
        raise error(
            f"The commission schedule {code!r} is not a compensation plan",
            [_schedule_problem(code)],
        )


def _apply_terms(agreement: ChannelAgreement, terms: Mapping[str, Any]) -> None:
    agreement.name = terms["name"]
    agreement.valid_from = parse_instant(terms["validFor"]["startDateTime"])
    end = terms["validFor"]["endDateTime"]
    agreement.valid_to = parse_instant(end) if end is not None else None
    agreement.commission_schedule_ref = terms["commissionScheduleRef"]


def _append_version(
    session: Session,
    agreement: ChannelAgreement,
    *,
    change: str,
    snapshot: dict[str, Any],
    principal: Principal,
    now: datetime,
    comment: str,
) -> None:
    agreement.latest_version += 1
    session.add(
        ChannelAgreementVersion(
            agreement_id=agreement.id,
            number=agreement.latest_version,
            change=change,
            status=agreement.status,
            author=principal.actor,
            created_at=now,
            comment=comment,
            snapshot=snapshot,
        )
    )


def _version(
    session: Session, agreement: ChannelAgreement, number: int, *, location: str = "number"
) -> ChannelAgreementVersion:
    found = session.scalar(
        select(ChannelAgreementVersion).where(
            ChannelAgreementVersion.agreement_id == agreement.id,
            ChannelAgreementVersion.number == number,
        )
    )
    if found is None:
        raise NotFound(
            f"Channel agreement {agreement.id} has no version {number}",
            [ErrorDetail(location, f"versions are 1 to {agreement.latest_version}")],
        )
    return found


def _refuse_own_terms(
    agreement: ChannelAgreement, principal: Principal, target: AgreementStatus
) -> None:
    require_second_person(
        principal,
        first=agreement.terms_author,
        role="terms' author",
        did="wrote the terms of this agreement",
        verb="approve" if target is AgreementStatus.APPROVED else "activate",
    )


def _party_condition(agreement: ChannelAgreement) -> ColumnElement[bool]:
    if agreement.partner_id is not None:
        return ChannelAgreement.partner_id == agreement.partner_id
    return ChannelAgreement.channel_id == agreement.channel_id


def _lock_party(session: Session, agreement: ChannelAgreement) -> None:
    """Approvals and activations of one party run one after another (a row lock on PostgreSQL)."""
    if agreement.partner_id is not None:
        session.execute(
            select(Partner.id).where(Partner.id == agreement.partner_id).with_for_update()
        )
    else:
        session.execute(
            select(SalesChannel.id).where(SalesChannel.id == agreement.channel_id).with_for_update()
        )


def _refuse_overlap(session: Session, agreement: ChannelAgreement) -> None:
    other = ChannelAgreement
    statement = select(other).where(
        _party_condition(agreement),
        other.id != agreement.id,
        other.status.in_(BINDING),
        or_(other.valid_to.is_(None), other.valid_to > agreement.valid_from),
    )
    if agreement.valid_to is not None:
        statement = statement.where(other.valid_from < agreement.valid_to)
    conflict = session.scalars(statement.order_by(other.valid_from).limit(1)).first()
    if conflict is not None:
        raise RuleViolation(
            f"The validity overlaps the {conflict.status} agreement {conflict.name!r} of the same party",
            [
                ErrorDetail(
                    "validFor",
                    f"agreement {conflict.id} is valid from {_iso(conflict.valid_from)} "
                    f"to {_iso(conflict.valid_to)}",
                )
            ],
        )


def _refuse_second_active(session: Session, agreement: ChannelAgreement) -> None:
    active = session.scalar(
        select(ChannelAgreement).where(
            _party_condition(agreement),
            ChannelAgreement.id != agreement.id,
            ChannelAgreement.status == AgreementStatus.ACTIVE.value,
        )
    )
    if active is not None:
        raise RuleViolation(
            f"The party already has an active agreement {active.name!r} ({active.id})",
            [ErrorDetail("to_status", "expire or terminate the active agreement first")],
        )


def _iso(value: datetime | None) -> str:
    return "open-ended" if value is None else iso(value)


def _comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if len(text) > _COMMENT_LENGTH:
        raise InvalidInput(
            "Comment too long", [ErrorDetail("comment", f"at most {_COMMENT_LENGTH} characters")]
        )
    return text
