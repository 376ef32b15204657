from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# The stored fields a run gives its lines; _create_batch inserts these.
BATCH_FIELDS = (
    "action_id",
    "company_id",
    "move_id",
    "level_id",
    "date_due",
    "days_late",
    "currency_id",
    "move_currency_id",
    "amount_residual",
    "amount_residual_currency",
    "interest_amount",
    "indemnity_amount",
)


class RecouvrementActionLine(models.Model):
    _name = "recouvrement.action.line"
    _description = "Invoice of a reminder"
    _order = "action_id, date_due, id"
    # The invoice's company is checked in one pass by _check_move_company:
    # Odoo's automatic check evaluates a domain per line, and a run creates
    # thousands of lines.
    _check_company_auto = False

    action_id = fields.Many2one(
        "recouvrement.action", required=True, ondelete="cascade", index=True
    )
    # The reminder's company, filled at creation (see create): a stored
    # related field would be written again by an UPDATE after the INSERT.
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, check_company=True
    )
    level_id = fields.Many2one(
        "recouvrement.level",
        index=True,
        help="Level the invoice reached with this reminder (empty: listed "
        "because overdue, before its first level).",
    )
    date_due = fields.Date(string="Due date", required=True)
    days_late = fields.Integer()
    # Plain fields filled at creation (see create) rather than related ones:
    # a Monetary field then finds its currency among the values being
    # created, instead of reading it through a new record for every amount
    # of the thousands of lines a run creates.
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_currency_id = fields.Many2one(
        "res.currency", string="Invoice currency", readonly=True
    )
    amount_total = fields.Monetary(
        related="move_id.amount_total",
        currency_field="move_currency_id",
        string="Invoice total",
    )
    amount_residual = fields.Monetary(
        string="Amount due",
        help="Amount due in the company currency when the reminder was planned.",
    )
    amount_residual_currency = fields.Monetary(
        currency_field="move_currency_id", string="Amount due (invoice currency)"
    )
    interest_amount = fields.Monetary(
        currency_field="move_currency_id",
        string="Interest",
        help="Late-payment interest to the reminder's date (levels that state "
        "penalties).",
    )
    indemnity_amount = fields.Monetary(
        currency_field="move_currency_id",
        string="Recovery indemnity",
        help="Flat recovery indemnity (professional debtors, levels that state "
        "penalties).",
    )
    portal_url = fields.Char(compute="_compute_portal_url")
    # Not stored: performing a reminder would rewrite every one of its lines.
    action_state = fields.Selection(related="action_id.state")
    contact_date = fields.Datetime(related="action_id.contact_date")

    @api.model_create_multi
    def create(self, vals_list):
        self._complete_company_values(vals_list)
        return super().create(vals_list)

    @api.model
    def _complete_company_values(self, vals_list):
        """Fill the company and currencies a line was given no value for."""
        missing = [
            vals
            for vals in vals_list
            if not vals.get("company_id")
            or not vals.get("currency_id")
            or not vals.get("move_currency_id")
        ]
        if missing:
            actions = self.env["recouvrement.action"].browse(
                {vals["action_id"] for vals in missing if vals.get("action_id")}
            )
            moves = self.env["account.move"].browse(
                {vals["move_id"] for vals in missing if vals.get("move_id")}
            )
            companies = {a.id: a.company_id for a in actions}
            move_currencies = {m.id: m.currency_id.id for m in moves}
            for vals in missing:
                company = companies.get(vals.get("action_id"), self.env["res.company"])
                if not vals.get("company_id"):
                    vals["company_id"] = company.id
                if not vals.get("currency_id"):
                    vals["currency_id"] = company.currency_id.id
                if not vals.get("move_currency_id"):
                    vals["move_currency_id"] = move_currencies.get(vals.get("move_id"))

    @api.model
    def _create_batch(self, vals_list):
        """Create the lines of a run: what ``create`` does, in one INSERT.

        A run creates a line per overdue invoice, thousands at once, and the
        ORM's per-record work (defaults, a currency record per amount, cache
        and inverse updates) cost more than the rest of the planning. Lines
        carry plain values only, so the INSERT gives the same rows: amounts
        are rounded to their currency, the company check and the
        recomputation of what depends on the lines (the invoices' dunning
        fields) run as after ``create``. Values for any other field (another
        add-on's) go through ``create``.
        """
        if not vals_list:
            return self.browse()
        if any(set(vals) - set(BATCH_FIELDS) for vals in vals_list):
            return self.create(vals_list)
        self.check_access("create")
        self._complete_company_values(vals_list)
        currencies = {
            currency.id: currency
            for currency in self.env["res.currency"].browse(
                {
                    vals[name]
                    for vals in vals_list
                    for name in ("currency_id", "move_currency_id")
                    if vals.get(name)
                }
            )
        }
        columns = {name: [] for name in BATCH_FIELDS}
        for vals in vals_list:
            for name in BATCH_FIELDS:
                value = vals.get(name)
                field = self._fields[name]
                if field.type == "monetary":
                    currency = currencies.get(vals.get(field.get_currency_field(self)))
                    value = currency.round(value or 0.0) if currency else value or 0.0
                elif field.type == "many2one":
                    value = value or None
                elif value is False:
                    value = None
                columns[name].append(value)
        count = len(vals_list)
        self.env.cr.execute(
            SQL(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                "FROM generate_series(1, %s)",
                self._table,
                count,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %(table)s (id, %(columns)s, create_uid, create_date,
                                       write_uid, write_date)
                SELECT *, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(arrays)s)
                """,
                table=SQL.identifier(self._table),
                columns=SQL(", ").join(SQL.identifier(name) for name in BATCH_FIELDS),
                uid=self.env.uid,
                now=now,
                ids=ids,
                arrays=SQL(", ").join(
                    SQL(
                        "%s::%s[]",
                        columns[name],
                        SQL(self._fields[name].column_type[1]),
                    )
                    for name in BATCH_FIELDS
                ),
            )
        )
        lines = self.browse(ids)
        # The reminders' and invoices' lists of lines are stale now.
        self.env["recouvrement.action"].browse(
            columns["action_id"]
        ).invalidate_recordset(["line_ids"])
        self.env["account.move"].browse(columns["move_id"]).invalidate_recordset(
            ["recouvrement_action_line_ids"]
        )
        lines.modified(self._fields, create=True)
        lines._validate_fields(BATCH_FIELDS)
        return lines

    @api.constrains("move_id", "action_id", "company_id")
    def _check_move_company(self):
        for line in self:
            company = line.action_id.company_id
            if line.company_id != company:
                raise ValidationError(
                    self.env._(
                        "A reminder's invoices belong to the reminder's company."
                    )
                )
            if line.move_id.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s belongs to %(invoice_company)s, "
                        "not to the reminder's company %(company)s.",
                        invoice=line.move_id.name,
                        invoice_company=line.move_id.company_id.name,
                        company=line.action_id.company_id.name,
                    )
                )

    def _compute_portal_url(self):
        for line in self:
            move = line.move_id
            line.portal_url = (
                move.get_base_url() + move.get_portal_url() if move else False
            )
