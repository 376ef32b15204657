"""Selections shared by the reminder models, views and wizards."""

from ..rules import installments as plan_rules
from ..rules.contact_pressure import (
    WAIT_HOURS,
    WAIT_MIN_GAP,
    WAIT_MONTH_LIMIT,
    WAIT_REST_DAY,
    WAIT_WEEK_LIMIT,
)

ACTION_STATES = [
    ("waiting", "Waiting"),
    ("to_validate", "To validate"),
    ("to_do", "To do"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
# States in which the action reached (or is reaching) the debtor.
PERFORMED_STATES = ("to_do", "done")
# States that keep a debtor from getting a new action until handled.
PENDING_STATES = ("waiting", "to_validate", "failed")

WAIT_REASONS = [
    (WAIT_MIN_GAP, "Minimum days between two contacts"),
    (WAIT_WEEK_LIMIT, "Contacts allowed per 7 days reached"),
    (WAIT_MONTH_LIMIT, "Contacts allowed per 30 days reached"),
    (WAIT_REST_DAY, "Sunday or public holiday"),
    (WAIT_HOURS, "Outside the allowed contact hours"),
]

OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No answer"),
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("wrong_number", "Wrong number"),
]

PROMISE_STATES = [("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken")]

# Key of the cursor cache holding the invoice tables of the actions being
# performed (recouvrement.action.channels._perform).
TABLE_MEMO = "recouvrement_invoice_tables"

# A debtor's open receivable journal items; with a negative residual, its
# open credits (credit notes and payments not yet allocated), which the run
# and the reminders' documents deduct from what is overdue.
OPEN_RECEIVABLE_DOMAIN = [
    ("account_type", "=", "asset_receivable"),
    ("parent_state", "=", "posted"),
    ("reconciled", "=", False),
]
OPEN_CREDIT_DOMAIN = [*OPEN_RECEIVABLE_DOMAIN, ("amount_residual", "<", 0)]

# Payment plans (recouvrement.plan and the mixins beside it).
PLAN_STATES = [
    ("draft", "Draft"),
    ("waiting_signature", "Waiting signature"),
    ("active", "Active"),
    ("done", "Done"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
# States in which the plan holds its invoices out of the dunning.
HOLDING_STATES = ("waiting_signature", "active")
# An invoice belongs to one plan at a time in these states.
LOCKING_STATES = ("waiting_signature", "active")
SCHEDULE_MODES = [
    ("count", "Number of installments"),
    ("amount", "Amount per installment"),
    ("payment_term", "Payment term"),
]
FREQUENCIES = [
    (plan_rules.WEEKLY, "Weekly"),
    (plan_rules.MONTHLY, "Monthly"),
    (plan_rules.QUARTERLY, "Quarterly"),
]
SIGNATURE_METHODS = [
    ("paper", "Signed paper copy"),
    ("portal", "Online signature"),
    ("email", "Written agreement by e-mail"),
]
# Changing one of these in draft rebuilds the schedule.
SCHEDULE_FIELDS = (
    "move_ids",
    "schedule_mode",
    "installment_count",
    "installment_amount",
    "frequency",
    "first_date",
    "payment_term_id",
    "down_payment",
    "down_payment_date",
)
# Feature models whose blocking reasons forbid a plan (disputed invoice,
# invoice handed to an agency).
EXCLUDING_FEATURES = (
    "recouvrement.dispute",
    "recouvrement.case",
    # --- court file --- invoices sent to court
    "recouvrement.court.file",
)

# Disputes.
DISPUTE_STATES = [
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("resolved_justified", "Resolved: justified"),
    ("resolved_rejected", "Resolved: rejected"),
    ("cancelled", "Cancelled"),
]
# While a dispute is in one of these states, no reminder mentions its invoices.
ACTIVE_STATES = ("open", "in_progress")
CLOSED_STATES = ("resolved_justified", "resolved_rejected", "cancelled")

# Agency cases.
CASE_STATES = [
    ("sent", "Sent"),
    ("in_progress", "In progress"),
    ("closed_recovered", "Closed: recovered"),
    ("closed_partial", "Closed: partly recovered"),
    ("closed_unrecoverable", "Closed: unrecoverable"),
    ("recalled", "Recalled"),
]
# States in which the agency holds the file: internal reminders stop and the
# invoices cannot be transmitted again.
ACTIVE_CASE_STATES = ("sent", "in_progress")
# A case handed over just now.
NEW_CASE_STATE = "sent"
# Stored computed fields _transmit gives at creation, as computed on the
# transfer date.
CREATION_COMPUTED_FIELDS = (
    "amount_claimed",
    "amount_residual",
    "amount_recovered",
    "amount_commission",
    "is_active",
)

# What a hand-over reads of its invoices (checks, amounts, the file).
TRANSMITTED_MOVE_FIELDS = (
    "name",
    "move_type",
    "state",
    "company_id",
    "currency_id",
    "commercial_partner_id",
    "invoice_date",
    "invoice_date_due",
    "amount_total",
    "amount_residual",
    "amount_residual_signed",
    "recouvrement_level_id",
    "recouvrement_in_dispute",
    "recouvrement_is_penalty_invoice",
)

FILE_FORMATS = [("xlsx", "XLSX"), ("csv", "CSV (semicolon, UTF-8)")]
ACTING_NAMES = [
    ("creditor", "In the creditor's name (white label)"),
    ("own", "In its own name"),
]

# Court files: the states in which invoices are "judicial".
JUDICIAL_STATES = ("prepared", "filed")
