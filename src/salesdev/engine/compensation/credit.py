"""Credit stage: which payee gets credit for which event, with integer surrogate keys.

Direct credit: every event credits the rep who captured it (``sales_person_id``)
and, for partner sales, the selling partner (``partner_id``), each in full.

Split credit (``split_input``): the events of a split order credit the order's
split payees (sales people) instead of the event's rep, each with its share; the
amounts are split exactly (largest remainder, see ``_split_credit``), so the parts
of an amount always add up to it (``total_100``) or to the amount times the total
share rounded once (``overlay``). The selling partner keeps its direct credit.
Deactivations and recurring charges carry no order id: on a line won on a split
order (its activation or port-in), they are credited to that order's split payees
for the chargebacks and residuals (``cmp_line_credit``), so that a clawback
recovers from each payee what it was paid.

Roll-up (``hierarchy_input``): the direct credit of a payee rolls up to every
ancestor in the sales hierarchy (``manager``) or the partner genealogy
(``partner``) as it was at the event's instant, each ancestor once per event
(at its nearest level) even when the hierarchy has several paths to it.

Load tables (``load_stages``, the only stages that read ``events``): ``cmp_load_event`` and ``cmp_load_lifecycle`` (transient
copies as stored), the dictionaries ``cmp_family``, ``cmp_payee``,
``cmp_split_order``, ``cmp_line_id``, and the keyed ``cmp_event`` and ``cmp_lifecycle``.

Credit tables (``credit_stages``, on integer keys):
- ``cmp_credit``: one row per (event, credited payee), a view over ``cmp_event``;
- ``cmp_credit_sum``: credit summed per payee, family and event type;
- ``cmp_line``: life of each keyed line (bounty service, residual months),
  from its whole history before the period end;
- ``cmp_quota``: the quotas by payee key;
- ``cmp_component``: the plan's components by key;
- with splits: ``cmp_split_credit``; with bounties or residuals too,
  ``cmp_line_split_event``, ``cmp_line_split_credit`` and the view ``cmp_line_credit``
  (what they read);
- with a roll-up: ``cmp_edge``, ``cmp_path``, ``cmp_segment``, ``cmp_reach`` (see
  ``hierarchy_stages``), then ``cmp_credit_sum`` per segment too, and ``cmp_rollup``;
- with a payee selection: ``cmp_selected``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlglot import exp

from salesdev.core.periods import Period
from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import (
    EVENTS_INPUT,
    HIERARCHY_INPUT,
    PAYEE_INPUT,
    QUOTA_INPUT,
    SPLIT_INPUT,
    CreditOptions,
    Stage,
)
from salesdev.engine.compensation.plan import (
    BountyComponent,
    OverrideComponent,
    Plan,
    Relation,
    ResidualComponent,
    SpiffComponent,
)

STEP = "credit"
LOAD = "load"
LIFECYCLE_EVENT_TYPES = ("activation", "suspension", "resumption", "deactivation")
# The events that carry a line's order: the split of that order is the line's split.
LINE_ORDER_EVENT_TYPES = ("activation", "port_in")
# The events credited by the split of their line's order (they carry no order id):
# what chargebacks and residuals read.
LINE_SPLIT_EVENT_TYPES = ("deactivation", "recurring_charge")
# Shares keep 4 decimal places; amounts are split in units of 0.0001.
SHARE_UNITS = 10_000
PAYEE_KIND = {Relation.MANAGER: "sales_person", Relation.PARTNER: "partner"}


def component_key(index: int) -> int:
    return index + 1


def spiff_columns(plan: Plan) -> list[str]:
    """What SPIFFs read besides the usual columns: units (per-unit SPIFFs), the offering
    (SPIFFs narrowed to offerings)."""
    spiffs = [c for c in plan.components if isinstance(c, SpiffComponent)]
    columns = []
    if any(c.amount is not None for c in spiffs):
        columns.append("quantity")
    if any(c.offering_ids for c in spiffs):
        columns.append("product_offering_id")
    return columns


def load_stages(plan: Plan, period: Period, options: CreditOptions) -> list[Stage]:
    """Load: the period's events (and the life of the lines a stage reads) into native
    tables with integer surrogate keys, in two scans of ``events``.

    - ``cmp_load_event`` (transient, dropped after the load): the period's events of
      the types some component reads, as stored (text ids);
    - ``cmp_family``, ``cmp_payee``: the dictionaries, numbered in sort order;
    - ``cmp_split_order`` (with splits): the split orders, numbered;
    - ``cmp_line_id`` (with bounties or residuals): the lines whose life a measure
      reads (those of the period's deactivations and recurring charges of the
      families the bounties and residuals pay on), numbered;
    - ``cmp_load_lifecycle`` (transient): the lifecycle events before the period end,
      three narrow columns as stored (with splits, also the order of activations
      and port-ins);
    - ``cmp_lifecycle`` (with bounties or residuals): (line key, type key, instant,
      and with splits the split order key) of the lifecycle events of those lines;
    - ``cmp_event``: the period's events with keys instead of text ids (payees,
      family, line, split order, and the split order that won the line of a
      deactivation or charge), the event id kept for lineage and explanations.
    Every later stage joins and groups on these integer keys; the payee and family
    ids come back only in the result and the lineage. The event id stays text: the
    first and last event of a measure are its MIN and MAX, so a key would have to be
    numbered in id order, and that sort of every loaded row cost more at load (1.5
    CPU-s at 10 M events, superlinear beyond the memory limit) than it saved.
    """
    extra = _raw_extra_columns(plan, options)
    stages = [_load_events(plan, period, extra), _families(), _payees(options)]
    if options.splits:
        stages.append(_split_orders())
    lines = line_read_event_types(plan)
    if lines:
        stages.append(_line_ids(plan))
        # the line history first: with splits, the keyed events take their line's order
        stages.extend(_lifecycle(plan, period, options))
    stages.append(_keyed_events(plan, options, lines=bool(lines)))
    return stages


def credit_stages(plan: Plan, period: Period, options: CreditOptions) -> list[Stage]:
    extra = spiff_columns(plan)
    stages: list[Stage] = []
    if options.splits:
        stages.append(_split_credit(extra))
    line_splits = options.splits and bool(line_read_event_types(plan))
    stages.append(_credit(options, extra, line_splits=line_splits))
    rollup = bool(options.rollup_levels) and any(
        isinstance(c, OverrideComponent) for c in plan.components
    )
    if rollup:  # the sums are per hierarchy segment: the segments come first
        stages.extend(hierarchy_stages(period, options.rollup_levels))
    stages.append(_credit_sums(options, segmented=rollup))
    if rollup:
        stages.append(_rollup(plan))
    stages.append(_components(plan))
    if options.payees:
        stages.append(_selected())
    if line_read_event_types(plan):
        stages.append(_lines(plan))
    if line_splits:
        stages.append(_line_split_events(extra))
        stages.append(_split_credit(extra, by_line=True))
        stages.append(_line_credit())
    return stages


def _raw_extra_columns(plan: Plan, options: CreditOptions) -> list[str]:
    """Event columns only some plans read: the order (splits), units and offering (SPIFFs)."""
    extra = []
    if options.splits:
        extra.append("order_id")
    extra.extend(spiff_columns(plan))
    return extra


def line_read_event_types(plan: Plan) -> tuple[str, ...]:
    """The period's event types whose line's life a measure reads: deactivations
    (bounty chargebacks) and recurring charges (residuals)."""
    return tuple(sorted({event_type for event_type, _families in _line_reads(plan)}))


def _line_reads(plan: Plan) -> list[tuple[str, tuple[str, ...]]]:
    """(event type, families or () for every family) of each measure that reads the
    life of an event's line: a bounty's chargebacks, a residual's charges."""
    reads = []
    for component in plan.components:
        if isinstance(component, BountyComponent):
            reads.append(("deactivation", tuple(sorted(component.product_families))))
        elif isinstance(component, ResidualComponent):
            reads.append(("recurring_charge", tuple(sorted(component.product_families))))
    return reads


def _line_read_filter(plan: Plan) -> exp.Expr:
    """True for the events whose line's life some measure reads (type and family)."""
    conditions: list[exp.Expr] = []
    for event_type, families in sorted(set(_line_reads(plan))):
        condition: exp.Expr = exp.column("event_type").eq(sql.text(event_type))
        if families:
            condition = exp.and_(
                condition, sql.is_in(exp.column("product_family_code"), list(families))
            )
        conditions.append(condition)
    return exp.or_(*conditions) if conditions else exp.false()


def period_event_types(plan: Plan) -> tuple[str, ...]:
    """Event types read in the period: what components measure, and what claws back."""
    types: set[str] = set()
    for component in plan.components:
        types.update(component.measured_event_types())
        if isinstance(component, BountyComponent):
            types.add("deactivation")
    return tuple(sorted(types))


def rollup_event_types(plan: Plan) -> tuple[str, ...]:
    types: set[str] = set()
    for component in plan.components:
        if isinstance(component, OverrideComponent):
            types.update(component.measured_event_types())
    return tuple(sorted(types))


def history_event_types(plan: Plan) -> tuple[str, ...]:
    """Event types read before the period too: the life of lines (bounties, residuals)."""
    types: set[str] = set()
    for component in plan.components:
        if isinstance(component, BountyComponent):
            types.update(LIFECYCLE_EVENT_TYPES)
            types.update(component.measured_event_types())
        elif isinstance(component, ResidualComponent):
            types.update(LIFECYCLE_EVENT_TYPES)
    return tuple(sorted(types))


def quota_stage() -> Stage:
    return Stage(
        STEP,
        "cmp_quota",
        sql.template(
            f"""
            SELECT p.payee_key, CAST(q.quota AS {sql.MONEY}) AS quota
            FROM {QUOTA_INPUT} AS q JOIN cmp_payee AS p ON p.payee_id = q.payee_id
            """  # noqa: S608
        ),
    )


def _load_events(plan: Plan, period: Period, extra: list[str]) -> Stage:
    columns = "".join(f", {name}" for name in extra)
    query = sql.template(
        f"""
        SELECT event_id, line_id, event_type, :event_us AS event_us, product_family_code,
               sales_person_id, partner_id, amount, currency{columns}
        FROM {EVENTS_INPUT}
        WHERE event_time >= :start AND event_time < :end AND :types
        """,  # noqa: S608
        event_us=sql.epoch_us(exp.column("event_time")),
        start=sql.timestamp(period.start),
        end=sql.timestamp(period.end),
        types=sql.is_in(exp.column("event_type"), list(period_event_types(plan))),
    )
    return Stage(LOAD, "cmp_load_event", query, transient=True)


def _line_ids(plan: Plan) -> Stage:
    """The lines whose life a measure reads: those of the period's deactivations of the
    families a bounty pays on, and of its recurring charges of a residual's families."""
    return Stage(
        LOAD,
        "cmp_line_id",
        sql.template(
            """
            SELECT CAST(ROW_NUMBER() OVER (ORDER BY line_id) AS INTEGER) AS line_key, line_id
            FROM (SELECT DISTINCT line_id FROM cmp_load_event WHERE :read) AS l
            """,
            read=_line_read_filter(plan),
        ),
    )


def _keyed_events(plan: Plan, options: CreditOptions, *, lines: bool) -> Stage:
    """The period's events with integer keys: ``rep_key`` and ``partner_key`` (null
    when the event names none), ``family_key``, ``line_key`` (null for a line whose
    life no measure reads), ``order_key`` (with splits: null unless the order is split)
    and, with splits and line measures, ``line_order_key``: for a deactivation or a
    recurring charge (which carry no order id), the split order that won its line
    (from the line's activation or port-in in ``cmp_lifecycle``), else null. Taken
    here, in the pass that keys the events anyway, so that crediting and the line
    measures need no extra join."""
    line = "l.line_key" if lines else "CAST(NULL AS INTEGER)"
    columns = [f"e.{name}" for name in spiff_columns(plan)]
    joins = [
        "JOIN cmp_family AS f ON f.product_family_code = e.product_family_code",
        """LEFT JOIN cmp_payee AS r
             ON r.payee_kind = 'sales_person' AND r.payee_id = e.sales_person_id""",
        "LEFT JOIN cmp_payee AS p ON p.payee_kind = 'partner' AND p.payee_id = e.partner_id",
    ]
    if lines:
        joins.append("LEFT JOIN cmp_line_id AS l ON l.line_id = e.line_id")
    if options.splits:
        columns.insert(0, "o.order_key")
        joins.append("LEFT JOIN cmp_split_order AS o ON o.order_id = e.order_id")
        if lines:  # the split order that won the line of a deactivation or a charge
            columns.insert(1, "CASE WHEN :line_split THEN w.order_key END AS line_order_key")
            joins.append(
                """LEFT JOIN (SELECT line_key, MIN(order_key) AS order_key FROM cmp_lifecycle
                             WHERE order_key IS NOT NULL GROUP BY line_key) AS w
                     ON w.line_key = l.line_key"""
            )
    extra = "".join(f", {column}" for column in columns)
    return Stage(
        LOAD,
        "cmp_event",
        sql.template(
            f"""
            SELECT e.event_id, {line} AS line_key, :type_key AS type_key, e.event_us, f.family_key,
                   r.payee_key AS rep_key, p.payee_key AS partner_key, e.amount,
                   e.currency{extra}
            FROM cmp_load_event AS e
            {" ".join(joins)}
            """,  # noqa: S608
            type_key=sql.type_key_of(exp.column("event_type", "e")),
            line_split=sql.is_in(exp.column("event_type", "e"), list(LINE_SPLIT_EVENT_TYPES)),
        ),
    )


def _families() -> Stage:
    return Stage(
        LOAD,
        "cmp_family",
        sql.template(
            """
            SELECT CAST(ROW_NUMBER() OVER (ORDER BY product_family_code) AS INTEGER) AS family_key,
                   product_family_code
            FROM (SELECT DISTINCT product_family_code FROM cmp_load_event) AS f
            """
        ),
    )


def _payees(options: CreditOptions) -> Stage:
    sources = [
        """SELECT DISTINCT 'sales_person' AS payee_kind, sales_person_id AS payee_id
           FROM cmp_load_event WHERE sales_person_id IS NOT NULL""",
        """SELECT DISTINCT 'partner' AS payee_kind, partner_id AS payee_id
           FROM cmp_load_event WHERE partner_id IS NOT NULL""",
    ]
    if options.splits:
        sources.append(
            f"SELECT DISTINCT 'sales_person' AS payee_kind, payee_id FROM {SPLIT_INPUT}"  # noqa: S608
        )
    if options.rollup_levels:
        kind = "CASE relation WHEN 'manager' THEN 'sales_person' ELSE 'partner' END"
        sources.append(
            f"SELECT DISTINCT {kind} AS payee_kind, payee_id FROM {HIERARCHY_INPUT}"  # noqa: S608
        )
        sources.append(
            f"SELECT DISTINCT {kind} AS payee_kind, parent_id AS payee_id FROM {HIERARCHY_INPUT}"  # noqa: S608
        )
    union = " UNION ".join(sources)
    return Stage(
        LOAD,
        "cmp_payee",
        sql.template(
            f"""
            SELECT CAST(ROW_NUMBER() OVER (ORDER BY payee_kind, payee_id) AS INTEGER) AS payee_key,
                   payee_kind, payee_id
            FROM ({union}) AS p
            """  # noqa: S608
        ),
    )


def _split_orders() -> Stage:
    return Stage(
        LOAD,
        "cmp_split_order",
        sql.template(
            f"""
            SELECT CAST(ROW_NUMBER() OVER (ORDER BY order_id) AS INTEGER) AS order_key, order_id
            FROM (SELECT DISTINCT order_id FROM {SPLIT_INPUT}) AS o
            """  # noqa: S608
        ),
    )


def _split_credit(extra: list[str], *, by_line: bool = False) -> Stage:
    """The events of split orders, credited to the split payees with exact parts.

    ``by_line``: instead, the deactivations and recurring charges (which carry no
    order id) of the lines won on a split order (``cmp_event.line_order_key``), as
    ``cmp_line_split_credit``: a line's chargebacks and residuals follow the split of
    the order that won it, exactly like its bounty.

    Largest remainder, in units of 0.0001 on the absolute amount (the sign is put
    back after): each payee first gets ``floor(|amount| x share)``; the units still
    missing to the target go, one each, to the payees with the largest remainders
    (ties: the lower payee id). The target is ``|amount|`` when the shares total 1
    (``total_100``), else ``|amount| x total share`` rounded half-up (``overlay``).
    So the parts of an amount add up to the target exactly: a split neither creates
    nor loses money, and the result does not depend on row order.
    """
    columns = "".join(f", e.{name}" for name in extra)
    outer = "".join(f", {name}" for name in extra)
    source = "cmp_event"
    split_order = "JOIN cmp_split_order AS o ON o.order_key = e.order_key"
    if by_line:
        source = "cmp_line_split_event"
        split_order = "JOIN cmp_split_order AS o ON o.order_key = e.line_order_key"
    return Stage(
        STEP,
        "cmp_line_split_credit" if by_line else "cmp_split_credit",
        sql.template(
            f"""
            WITH parts AS (
                SELECT e.event_id, e.line_key, e.type_key, e.event_us, e.family_key,
                       e.amount, p.payee_key, p.payee_id, s.share{columns},
                       CAST(ABS(e.amount) * {SHARE_UNITS} AS BIGINT)
                         * CAST(s.share * {SHARE_UNITS} AS BIGINT) AS product_units,
                       CAST(ABS(e.amount) * {SHARE_UNITS} AS BIGINT) AS amount_units,
                       CAST(s.share * {SHARE_UNITS} AS BIGINT) AS share_units
                FROM {source} AS e
                {split_order}
                JOIN {SPLIT_INPUT} AS s ON s.order_id = o.order_id
                JOIN cmp_payee AS p ON p.payee_kind = 'sales_person' AND p.payee_id = s.payee_id
            ), ranked AS (
                SELECT *, product_units // {SHARE_UNITS} AS base_units,
                       ROW_NUMBER() OVER (
                           PARTITION BY event_id
                           ORDER BY product_units % {SHARE_UNITS} DESC, payee_id
                       ) AS remainder_rank,
                       SUM(product_units // {SHARE_UNITS}) OVER (PARTITION BY event_id)
                         AS base_total,
                       SUM(share_units) OVER (PARTITION BY event_id) AS share_total
                FROM parts
            )
            SELECT event_id, line_key, type_key, event_us, family_key, payee_key,
                   CAST(
                       CAST(
                           (CASE WHEN amount < 0 THEN -1 ELSE 1 END)
                           * (base_units + CASE
                                 WHEN remainder_rank
                                      <= (amount_units * share_total + {SHARE_UNITS // 2})
                                         // {SHARE_UNITS} - base_total
                                 THEN 1 ELSE 0 END)
                           AS DECIMAL(18, 0)
                       ) * CAST(0.0001 AS DECIMAL(5, 4)) AS {sql.MONEY}
                   ) AS amount,
                   CAST(share AS {sql.MONEY}) AS share{outer}
            FROM ranked
            """  # noqa: S608
        ),
    )


def _line_split_events(extra: list[str]) -> Stage:
    """The period's deactivations and charges of lines won on a split order, before
    they are split (``cmp_line_split_credit``). An event's own split order, had it
    one, wins: it is in ``cmp_split_credit``.

    Copied first, like the lifecycle at load: with the exact row count of these few
    events, the planner builds the split's hash table on them; estimating the
    filtered scan of every event, it built on the split credits instead (56,000
    rows against 900 events at 10 M events; found by the plan-shape check).
    """
    columns = "".join(f", {name}" for name in extra)
    return Stage(
        STEP,
        "cmp_line_split_event",
        sql.template(
            f"""
            SELECT event_id, line_key, type_key, event_us, family_key, amount,
                   line_order_key{columns}
            FROM cmp_event
            WHERE line_order_key IS NOT NULL AND order_key IS NULL
            """  # noqa: S608
        ),
    )


def _credit(options: CreditOptions, extra: list[str], *, line_splits: bool) -> Stage:
    """One row per (event, credited payee): the rep (unless the order is split), the
    selling partner, and with splits the split payees' parts. The keys were looked up
    at load, so crediting joins nothing."""
    columns = "".join(f", e.{name}" for name in extra)
    share = f", CAST(1 AS {sql.MONEY}) AS share" if options.splits else ""
    unsplit = " AND e.order_key IS NULL" if options.splits else ""
    # split_line_rep marks the own rep's credit of a deactivation or charge on a line
    # won on a split order: chargebacks and residuals replace it with the split's parts.
    own_rep = ", e.line_order_key IS NOT NULL AS split_line_rep" if line_splits else ""
    other = ", FALSE AS split_line_rep" if line_splits else ""
    parts = [
        f"""
        SELECT e.event_id, e.line_key, e.type_key, e.event_us, e.family_key,
               e.rep_key AS payee_key, e.amount{share}{own_rep}{columns}
        FROM cmp_event AS e
        WHERE e.rep_key IS NOT NULL{unsplit}
        """,  # noqa: S608
        f"""
        SELECT e.event_id, e.line_key, e.type_key, e.event_us, e.family_key,
               e.partner_key AS payee_key, e.amount{share}{other}{columns}
        FROM cmp_event AS e
        WHERE e.partner_key IS NOT NULL
        """,  # noqa: S608
    ]
    if options.splits:
        parts.append(
            f"""
            SELECT e.event_id, e.line_key, e.type_key, e.event_us, e.family_key, e.payee_key,
                   e.amount, e.share{other}{columns}
            FROM cmp_split_credit AS e
            """  # noqa: S608
        )
    # A view: each reader scans the keyed events with its own filters (the summing
    # stage reads every row once; the line measures read only deactivations and
    # charges), which costs less than writing millions of credit rows first.
    return Stage(STEP, "cmp_credit", sql.template(" UNION ALL ".join(parts)), view=True)


def _line_credit() -> Stage:
    """With splits: the credit that chargebacks and residuals read, a view.

    The credit of the period's deactivations and charges (``cmp_credit``) but the
    own rep's on lines won on a split order (``split_line_rep``), plus the split
    parts that replace it (``cmp_line_split_credit``).
    """
    columns = "event_id, line_key, type_key, event_us, family_key, payee_key, amount, share"
    return Stage(
        STEP,
        "cmp_line_credit",
        sql.template(
            f"""
            SELECT {columns} FROM cmp_credit WHERE :types AND NOT split_line_rep
            UNION ALL
            SELECT {columns} FROM cmp_line_split_credit
            """,  # noqa: S608
            types=sql.type_in(exp.column("type_key"), list(LINE_SPLIT_EVENT_TYPES)),
        ),
        view=True,
    )


def _credit_sums(options: CreditOptions, *, segmented: bool) -> Stage:
    """Credit per payee, family and event type: what the summing measures read.

    ``units`` is what a bounty counts: events, or the sum of the credited shares
    when credit is split (a bounty split 60/40 pays 0.6 and 0.4 of its amount).
    With a roll-up, the sums are also per hierarchy segment (``seg_from``, null
    outside every segment), so that the roll-up reads these sums in the same pass
    instead of grouping the credit a second time.
    """
    units = f"CAST(SUM(c.share) AS {sql.MONEY})" if options.splits else "COUNT(*)"
    segment, join = "", ""
    if segmented:
        segment = ", s.seg_from"
        join = """LEFT JOIN cmp_segment AS s ON s.payee_key = c.payee_key
                  AND c.event_us >= s.seg_from AND c.event_us < s.seg_to"""
    return Stage(
        STEP,
        "cmp_credit_sum",
        sql.template(
            f"""
            SELECT c.payee_key, c.family_key, c.type_key{segment},
                   SUM(c.amount) AS amount, COUNT(*) AS events, {units} AS units,
                   MIN(c.event_id) AS first_event_id, MAX(c.event_id) AS last_event_id
            FROM cmp_credit AS c {join}
            GROUP BY c.payee_key, c.family_key, c.type_key{segment}
            """  # noqa: S608
        ),
    )


def _selected() -> Stage:
    return Stage(
        STEP,
        "cmp_selected",
        sql.template(
            f"""
            SELECT DISTINCT p.payee_key
            FROM cmp_payee AS p JOIN {PAYEE_INPUT} AS i ON i.payee_id = p.payee_id
            """  # noqa: S608
        ),
    )


def hierarchy_stages(period: Period, levels: int) -> list[Stage]:
    """The effective-dated hierarchy, ready to roll credit up (each ancestor once per event).

    - ``cmp_edge``: the hierarchy's edges that hold at some instant of the period,
      by payee key, with their validity clipped to the period;
    - ``cmp_path``: every path of 1 to ``levels`` edges (the same relation), valid
      where all its edges are (the intersection of their validities);
    - ``cmp_segment``: per payee with a path, the spans of the period in which its
      set of paths does not change (cut at every path's bounds);
    - ``cmp_reach``: per payee and segment, each ancestor **once**, at its nearest
      level, however many paths lead to it;
    Then ``cmp_credit_sum`` sums the direct credit per payee, segment, family and
    event type, and ``cmp_rollup`` (:func:`_rollup`) per ancestor, relation, level,
    family and event type: the roll-up reads sums, not every event.
    """
    start_us = sql.integer(epoch_us(period.start))
    end_us = sql.integer(epoch_us(period.end))
    kind = "CASE h.relation WHEN 'manager' THEN 'sales_person' ELSE 'partner' END"
    edge = sql.template(
        f"""
        SELECT c.payee_key AS child_key, a.payee_key AS parent_key, h.relation,
               GREATEST(h.from_us, :start_us) AS from_us, LEAST(h.to_us, :end_us) AS to_us
        FROM {HIERARCHY_INPUT} AS h
        JOIN cmp_payee AS c ON c.payee_kind = {kind} AND c.payee_id = h.payee_id
        JOIN cmp_payee AS a ON a.payee_kind = {kind} AND a.payee_id = h.parent_id
        WHERE h.from_us < :end_us AND h.to_us > :start_us
        """,  # noqa: S608
        start_us=start_us,
        end_us=end_us.copy(),
    )
    paths: list[str] = []
    for level in range(1, levels + 1):
        joins = "".join(
            f" JOIN cmp_edge AS e{n} ON e{n}.child_key = e{n - 1}.parent_key"
            f" AND e{n}.relation = e1.relation"
            for n in range(2, level + 1)
        )
        names = [f"e{n}" for n in range(1, level + 1)]
        start = (
            names[0] + ".from_us"
            if level == 1
            else ("GREATEST(" + ", ".join(f"{n}.from_us" for n in names) + ")")
        )
        end = (
            names[0] + ".to_us"
            if level == 1
            else ("LEAST(" + ", ".join(f"{n}.to_us" for n in names) + ")")
        )
        paths.append(
            f"""SELECT e1.child_key AS payee_key, e{level}.parent_key AS ancestor_key,
                       e1.relation, {level} AS level, {start} AS from_us, {end} AS to_us
                FROM cmp_edge AS e1{joins}
                WHERE {start} < {end}"""  # noqa: S608
        )
    return [
        Stage(STEP, "cmp_edge", edge),
        Stage(STEP, "cmp_path", sql.template(" UNION ALL ".join(paths))),
        Stage(
            STEP,
            "cmp_segment",
            sql.template(
                """
                SELECT payee_key, seg_from, seg_to FROM (
                    SELECT payee_key, bound_us AS seg_from,
                           LEAD(bound_us) OVER (PARTITION BY payee_key ORDER BY bound_us)
                             AS seg_to
                    FROM (SELECT payee_key, from_us AS bound_us FROM cmp_path
                          UNION SELECT payee_key, to_us AS bound_us FROM cmp_path) AS b
                ) AS s
                WHERE seg_to IS NOT NULL
                """
            ),
        ),
        Stage(
            STEP,
            "cmp_reach",
            sql.template(
                """
                SELECT s.payee_key, s.seg_from, p.ancestor_key, p.relation,
                       MIN(p.level) AS level
                FROM cmp_segment AS s
                JOIN cmp_path AS p ON p.payee_key = s.payee_key
                WHERE p.from_us <= s.seg_from AND s.seg_from < p.to_us
                GROUP BY s.payee_key, s.seg_from, p.ancestor_key, p.relation
                """
            ),
        ),
    ]


def _rollup(plan: Plan) -> Stage:
    """Per ancestor, relation, level, family and event type: the credit of the payees below."""
    return Stage(
        STEP,
        "cmp_rollup",
        sql.template(
            """
            SELECT r.ancestor_key AS payee_key, r.relation, r.level, c.family_key,
                   c.type_key, SUM(c.amount) AS amount, SUM(c.events) AS events,
                   MIN(c.first_event_id) AS first_event_id,
                   MAX(c.last_event_id) AS last_event_id
            FROM cmp_credit_sum AS c
            JOIN cmp_reach AS r ON r.payee_key = c.payee_key AND r.seg_from = c.seg_from
            WHERE :types
            GROUP BY r.ancestor_key, r.relation, r.level, c.family_key, c.type_key
            """,
            types=sql.type_in(exp.column("type_key", "c"), list(rollup_event_types(plan))),
        ),
    )


def epoch_us(at: datetime) -> int:
    """Microseconds since the Unix epoch of an aware instant, exactly."""
    delta = at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _components(plan: Plan) -> Stage:
    rows = [
        exp.Tuple(
            expressions=[
                sql.integer(component_key(index)),
                sql.text(component.id),
                sql.text(component.kind.value),
            ]
        )
        for index, component in enumerate(plan.components)
    ]
    values = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(
            this=exp.to_identifier("c"),
            columns=[exp.to_identifier(n) for n in ("component_key", "component_id", "kind")],
        ),
    )
    return Stage(
        STEP,
        "cmp_component",
        exp.select(
            sql.cast(exp.column("component_key"), "INTEGER").as_("component_key"),
            "component_id",
            exp.column("kind").as_("component_kind"),
        ).from_(values, copy=False),
    )


def lifecycle_event_types(plan: Plan) -> tuple[str, ...]:
    """What the life of a line is read from: the lifecycle events and the bounty events."""
    types = set(LIFECYCLE_EVENT_TYPES)
    for component in plan.components:
        if isinstance(component, BountyComponent):
            types.update(component.measured_event_types())
    return tuple(sorted(types))


def _lifecycle(plan: Plan, period: Period, options: CreditOptions) -> list[Stage]:
    """Load the lifecycle events before the period end of the keyed lines, narrow:
    (line key, type key, instant in epoch microseconds). The instant is taken once
    per event, here; the history of a line no measure reads is not kept. With
    splits, also the split order of an activation or port-in (``order_key``, null
    unless the order is split): the order that won the line, whose split its
    chargebacks and residuals follow.

    The events are copied first (``cmp_load_lifecycle``, transient) and then keyed:
    with the exact row count of the copy the planner builds the join's hash table on
    the line dictionary; estimating the filtered Parquet scan, it took the scan for
    the smaller side and built on millions of events (found by the plan-shape check).
    """
    order_id, order_key, split_order = "", "", ""
    if options.splits:
        order_id = ", CASE WHEN :line_order THEN order_id END AS order_id"
        order_key = ", o.order_key"
        split_order = "LEFT JOIN cmp_split_order AS o ON o.order_id = h.order_id"
    return [
        Stage(
            LOAD,
            "cmp_load_lifecycle",
            sql.template(
                f"""
                SELECT line_id, event_type, :event_us AS event_us{order_id}
                FROM {EVENTS_INPUT}
                WHERE event_time < :end AND :types
                """,  # noqa: S608
                event_us=sql.epoch_us(exp.column("event_time")),
                end=sql.timestamp(period.end),
                types=sql.is_in(exp.column("event_type"), list(lifecycle_event_types(plan))),
                line_order=sql.is_in(exp.column("event_type"), list(LINE_ORDER_EVENT_TYPES)),
            ),
            transient=True,
        ),
        Stage(
            LOAD,
            "cmp_lifecycle",
            sql.template(
                f"""
                SELECT k.line_key, :type_key AS type_key, h.event_us{order_key}
                FROM cmp_load_lifecycle AS h JOIN cmp_line_id AS k ON k.line_id = h.line_id
                {split_order}
                """,  # noqa: S608
                type_key=sql.type_key_of(exp.column("event_type", "h")),
            ),
        ),
    ]


def _lines(plan: Plan) -> Stage:
    """Per line: activation, deactivation, time suspended, and each bounty's events.

    Grouped by line key over ``cmp_lifecycle``, which holds only the lines a
    measure reads (those of the period's deactivations and recurring charges).
    The activation month is computed per line after grouping, not per event.

    Suspensions and resumptions alternate (docs/data-model.md), so the time
    suspended is the sum of resumption instants minus the sum of suspension
    instants, plus the deactivation instant when the line was deactivated while
    suspended.
    """
    # One COUNT and one MIN per distinct set of event types: an activation bounty
    # reads the same aggregates as the line's activation instead of repeating them.
    first_of: dict[tuple[str, ...], str] = {}
    count_of: dict[tuple[str, ...], str] = {}
    aggregates: list[exp.Expr] = []

    def first_us(types: tuple[str, ...]) -> str:
        if types not in first_of:
            first_of[types] = f"first_us_{len(first_of) + 1}"
            aggregates.append(
                sql.template("MIN(CASE WHEN :is_in THEN event_us END)", is_in=_is_type(types)).as_(
                    first_of[types]
                )
            )
        return first_of[types]

    def count(types: tuple[str, ...]) -> str:
        if types not in count_of:
            count_of[types] = f"events_{len(count_of) + 1}"
            aggregates.append(
                sql.template("COUNT(CASE WHEN :is_in THEN 1 END)", is_in=_is_type(types)).as_(
                    count_of[types]
                )
            )
        return count_of[types]

    activation = first_us(("activation",))
    bounty_outer: list[exp.Expr] = []
    for index, component in enumerate(plan.components):
        if not isinstance(component, BountyComponent):
            continue
        key = component_key(index)
        bounty_types = tuple(sorted(component.measured_event_types()))
        bounty_outer.append(exp.column(count(bounty_types)).as_(f"bounties_{key}"))
        bounty_outer.append(exp.column(first_us(bounty_types)).as_(f"bounty_us_{key}"))
    inner = sql.template(
        """
        SELECT line_key,
               MIN(CASE WHEN type_key = :deactivation THEN event_us END) AS deactivation_us,
               SUM(CASE WHEN type_key = :resumption THEN event_us
                        WHEN type_key = :suspension THEN -event_us ELSE 0 END)
                 AS suspension_balance_us,
               SUM(CASE WHEN type_key = :suspension THEN 1
                        WHEN type_key = :resumption THEN -1 ELSE 0 END) AS open_suspensions
        FROM cmp_lifecycle
        GROUP BY line_key
        """,
        deactivation=sql.type_key("deactivation"),
        resumption=sql.type_key("resumption"),
        suspension=sql.type_key("suspension"),
    )
    assert isinstance(inner, exp.Select)
    inner = inner.select(*aggregates, copy=False)
    suspended = sql.template(
        """
        CASE WHEN open_suspensions > 0 AND deactivation_us IS NOT NULL
             THEN suspension_balance_us + deactivation_us
             ELSE suspension_balance_us END
        """
    )
    outer = exp.select(
        "line_key",
        exp.column(activation).as_("activation_us"),
        sql.month_index(exp.column(activation)).as_("activation_month"),
        "deactivation_us",
        suspended.as_("suspended_us"),
    ).from_(sql.subquery(inner, "l"), copy=False)
    assert isinstance(outer, exp.Select)
    return Stage(STEP, "cmp_line", outer.select(*bounty_outer, copy=False))


def _is_type(types: tuple[str, ...]) -> exp.Expr:
    return sql.type_in(exp.column("type_key"), list(types))
