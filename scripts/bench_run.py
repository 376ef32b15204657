# Run by scripts/bench inside `odoo shell` (env is Odoo's environment).
# ruff: noqa: F821
"""One measurement of the benchmark, printed as a line ``BENCH {json}``.

BENCH_STEP:
  generate      create the dataset (BENCH_DEBTORS x BENCH_PER_DEBTOR invoices)
  dunning       recouvrement_amiable's full run (planning and performing), as
                the daily cron runs it (BENCH_BATCH=N: N debtors at a time in
                one transaction, 0 for all at once)
  agency        hand-over of up to BENCH_AGENCY_INVOICES (10,000) open invoices
                of up to BENCH_AGENCY_DEBTORS (2,000) debtors to an agency
  screens       the server calls of the worklist and reporting screens
  baseline      after a run: Odoo's own create of as many queued e-mails and
                attachments as the run made, with the same values (rolled
                back), what any add-on pays for these outputs on this machine
  oca           OCA account_credit_control: credit lines, then its e-mailer
  sent          production mode: the open invoices' PDFs stored, as Odoo
                stores them when it sends invoices (not measured)
Every step runs at BENCH_DATE 09:00 UTC (10:00 in Paris) so that calls and
SMS are allowed and the figures do not depend on the hour of the run.
"""

import json
import os
import resource
from datetime import date, datetime, timedelta

from freezegun import freeze_time
from freezegun.api import real_perf_counter

from odoo.fields import Command

step = os.environ["BENCH_STEP"]
# BENCH_MODE=production (scripts/bench): an Odoo HTTP server serves this
# database at BENCH_SERVER_URL, wkhtmltopdf renders real PDFs (it reads the
# style sheets from the server), and the wkhtmltopdf calls are counted.
server_url = os.environ.get("BENCH_SERVER_URL")
if not os.environ.get("BENCH_PDF") and not server_url:
    # Reports rendered as HTML, as Odoo renders them in test mode: the
    # conditions of the reference figures (README), the same for both
    # add-ons, and no server is needed to serve wkhtmltopdf the style sheets.
    from odoo.tools import config

    config["test_enable"] = True
# Customer invoices with an amount still due.
OPEN_INVOICES = [
    ("move_type", "=", "out_invoice"),
    ("state", "=", "posted"),
    ("payment_state", "in", ("not_paid", "partial")),
]
# ir.config_parameter: "building" while the generator runs, then "complete".
DATASET_STATE = "recouvrement_amiable.bench_dataset"
on_date = date.fromisoformat(os.environ.get("BENCH_DATE", "2026-11-23"))
now = datetime.combine(on_date, datetime.min.time()) + timedelta(hours=9)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wall_clock():
    # The real clock: freezegun stops time.perf_counter while time is frozen.
    return real_perf_counter()


def cpu_clock():
    times = os.times()
    return times.user + times.system


def measure(function):
    """Wall time, SQL queries and peak memory of ``function()``, flushed."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    rss = peak_rss_mb()
    start, cpu = wall_clock(), cpu_clock()
    result = function()
    env.flush_all()
    seconds = wall_clock() - start
    return result, {
        "seconds": round(seconds, 2),
        "ms": round(seconds * 1000, 1),
        # Python's CPU time: steadier than the wall time on a busy machine
        # (PostgreSQL's own time is not in it).
        "cpu_seconds": round(cpu_clock() - cpu, 2),
        "queries": env.cr.sql_log_count - queries,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_growth_mb": round(peak_rss_mb() - rss, 1),
    }


# --- production mode ---
pdf_calls = []


def count_pdf_renderings():
    """Count every wkhtmltopdf call of this process (Odoo's reports and the
    reminders' documents alike)."""
    Report = env.registry["ir.actions.report"]
    original = Report._run_wkhtmltopdf

    def counted(self, bodies, *args, **kwargs):
        pdf_calls.append(len(bodies))
        return original(self, bodies, *args, **kwargs)

    Report._run_wkhtmltopdf = counted


def use_server():
    """Reports and links at the server's address (wkhtmltopdf fetches the
    style sheets there)."""
    if not server_url:
        return
    Parameter = env["ir.config_parameter"].sudo()
    Parameter.set_param("report.url", server_url)
    Parameter.set_param("web.base.url", server_url)
    Parameter.set_param("web.base.url.freeze", "True")
    env.cr.commit()
    count_pdf_renderings()


def filestore_bytes():
    """Bytes in this database's filestore (files shared by checksum count
    once, as on disk)."""
    path = env["ir.attachment"]._filestore()
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(folder, name))
    return total


def production_figures(before_bytes):
    """PDF renderings and filestore growth of the measured step."""
    if not server_url:
        return {}
    return {
        "pdf_renders": len(pdf_calls),
        "pdf_pages_asked": sum(pdf_calls),
        "filestore_growth_mb": round((filestore_bytes() - before_bytes) / 2**20, 2),
    }


def overdue_invoices():
    return env["account.move"].search_count(
        [*OPEN_INVOICES, ("invoice_date_due", "<", on_date)]
    )


def emit(**figures):
    print("BENCH " + json.dumps(figures), flush=True)


def step_generate():
    from odoo.addons.recouvrement_amiable.tools.data_generator import (
        generate,
        setup_french_company,
    )

    setup_french_company(env)
    env["res.lang"]._activate_lang("fr_FR")
    env.company.resource_calendar_id.tz = "Europe/Paris"
    # Committed batch after batch (90 minutes for 50,000 invoices): until the
    # end, the dataset is marked as being built, and scripts/bench builds
    # again a dataset whose generation was interrupted.
    Parameter = env["ir.config_parameter"].sudo()
    Parameter.set_param(DATASET_STATE, "building")
    env.cr.commit()
    dataset, figures = measure(
        lambda: generate(
            env,
            debtors=int(os.environ["BENCH_DEBTORS"]),
            invoices_per_debtor=int(os.environ["BENCH_PER_DEBTOR"]),
            seed=int(os.environ.get("BENCH_SEED", "2026")),
            today=on_date,
            after_batch=env.cr.commit,
        )
    )
    Parameter.set_param(DATASET_STATE, "complete")
    env.cr.commit()
    emit(step="generate", **dataset.counts, **figures)


def step_dunning():
    from odoo.addons.recouvrement_amiable.tools.data_generator import (
        ensure_current_rates,
    )

    # Reminders that state penalties need the half-year's rates.
    ensure_current_rates(env, on_date)
    overdue = overdue_invoices()
    Run = env["recouvrement.run"]
    batch = os.environ.get("BENCH_BATCH", "cron")

    def dunning():
        if batch == "cron":
            # What runs every day: the cron, in batches of debtors committed
            # one after the other (this database is a throwaway copy), called
            # again while it reports debtors remaining, as Odoo does.
            while Run._cron_run_dunning():
                pass
            return Run.search([], order="id desc", limit=1)
        return Run._execute(on_date, env.company, batch_size=int(batch))

    use_server()
    before_bytes = filestore_bytes()
    with freeze_time(now):
        run, figures = measure(dunning)
    figures.update(production_figures(before_bytes))
    # Counted by the database: reading the actions' fields after the run
    # took a query per action.
    Action = env["recouvrement.action"]
    domain = [("run_id", "=", run.id)]

    def count_by(field):
        return dict(Action._read_group(domain, [field], ["__count"]))

    by_channel = count_by("channel")
    mails = env["mail.mail"].search_count([("state", "=", "outgoing")])
    emit(
        step="dunning",
        overdue_invoices=overdue,
        debtors=len(Action._read_group(domain, ["partner_id"])),
        actions=sum(by_channel.values()),
        by_channel=by_channel,
        by_state=count_by("state"),
        mails_queued=mails,
        ms_per_invoice=round(figures["seconds"] * 1000 / max(overdue, 1), 2),
        **figures,
    )
    env.cr.commit()


def step_baseline():
    """Odoo's own ``create`` of what the last run left in the mail queue:
    its statements again as attachments of their reminders, then its
    e-mails again (same subject, body, sender, recipients and chatter
    record), each attached its new statement if it had one; rolled back.
    No add-on queues these e-mails and attachments for less on this
    machine: the yardstick of the run's seconds (README)."""
    run = env["recouvrement.run"].search([], order="id desc", limit=1)
    actions = run.action_ids.filtered(
        lambda a: a.state == "done" and a.channel == "email" and a.mail_message_id
    )
    mail_of = {
        mail.mail_message_id.id: mail
        for mail in env["mail.mail"].search(
            [("mail_message_id", "in", actions.mail_message_id.ids)]
        )
    }
    queued = [
        (action, mail_of[action.mail_message_id.id])
        for action in actions
        if action.mail_message_id.id in mail_of
    ]
    # The e-mails that had a statement (or a letter) attached.
    attached = [action for action, _mail in queued if action.attachment_id]
    statements = [
        {
            "name": action.attachment_id.name,
            "raw": action.attachment_id.raw,
            "mimetype": action.attachment_id.mimetype,
            "res_model": action._name,
            "res_id": action.id,
            "type": "binary",
        }
        for action in attached
    ]
    mail_values = [
        {
            "subject": mail.subject,
            "body_html": mail.body_html,
            "email_from": mail.email_from,
            "reply_to": mail.reply_to,
            "recipient_ids": [Command.set(mail.recipient_ids.ids)],
            "model": mail.model,
            "res_id": mail.res_id,
            "record_name": mail.record_name,
            "message_type": mail.message_type,
            "subtype_id": mail.subtype_id.id,
            "author_id": mail.author_id.id,
            "auto_delete": False,
        }
        for _action, mail in queued
    ]

    def create():
        attachments = env["ir.attachment"].create(statements)
        attachment_of = dict(zip(attached, attachments, strict=True))
        for (action, _mail), values in zip(queued, mail_values, strict=True):
            if action in attachment_of:
                values["attachment_ids"] = [Command.link(attachment_of[action].id)]
        return env["mail.mail"].create(mail_values)

    with freeze_time(now):
        _created, figures = measure(create)
    env.cr.rollback()
    emit(
        step="baseline",
        mails=len(mail_values),
        attachments=len(statements),
        **figures,
    )


def agency_invoices(limit, debtor_limit):
    """Up to ``limit`` open invoices of up to ``debtor_limit`` debtors, those
    with the most open invoices first: 10,000 invoices over 2,000 debtors,
    as the reference hand-over, when the dataset has them (50,000
    invoices); all the open invoices of a smaller dataset."""
    Move = env["account.move"]
    groups = Move._read_group(
        OPEN_INVOICES, ["commercial_partner_id"], ["__count", "invoice_date_due:min"]
    )
    groups.sort(key=lambda group: (-group[1], group[2] or date.max, group[0].id))
    debtors = [debtor.id for debtor, _count, _due in groups[:debtor_limit]]
    return Move.search(
        [*OPEN_INVOICES, ("commercial_partner_id", "in", debtors)],
        order="invoice_date_due, id",
        limit=limit,
    )


def step_agency():
    if "recouvrement.case" not in env:
        emit(step="agency", skipped="the add-on has no agency hand-over")
        return
    from odoo.addons.recouvrement_amiable.tools.data_generator import (
        ensure_current_rates,
    )

    # The file states interest to the transfer date: rates must be known.
    ensure_current_rates(env, on_date)
    invoices = agency_invoices(
        int(os.environ.get("BENCH_AGENCY_INVOICES", "10000")),
        int(os.environ.get("BENCH_AGENCY_DEBTORS", "2000")),
    )
    agency = env["res.partner"].create(
        {
            "name": "Cabinet Recouvrement Bench",
            "is_company": True,
            "email": "dossiers@agence.example",
            "recouvrement_is_agency": True,
            "recouvrement_agency_mandate_ref": "MANDAT-BENCH",
            "recouvrement_agency_mandate_date": on_date,
        }
    )
    Case = env["recouvrement.case"]

    def transmit():
        return Case._transmit(invoices, agency, note="Bench", file_format="xlsx")

    with freeze_time(now):
        export, figures = measure(transmit)
    cases = Case.search([("agency_id", "=", agency.id)])
    size = sum(export.attachment_ids.mapped("file_size"))
    emit(
        step="agency",
        invoices=len(invoices),
        debtors=len(invoices.commercial_partner_id),
        cases=len(cases),
        file_kb=round(size / 1024, 1),
        **figures,
    )


def step_screens():
    """The calls the web client makes to open each screen (first page)."""
    calls = {
        "worklist": (
            "recouvrement.action",
            [("state", "in", ("to_validate", "to_do", "failed"))],
            ["name", "partner_id", "level_id", "channel", "state", "amount_due"],
            ["state"],
        ),
        "invoices in recovery": (
            "account.move",
            OPEN_INVOICES,
            [
                "name",
                "partner_id",
                "invoice_date_due",
                "recouvrement_days_late",
                "recouvrement_level_id",
                "recouvrement_next_level_id",
                "recouvrement_next_date",
                "amount_residual_signed",
            ],
            ["recouvrement_level_id"],
        ),
        "reminders": (
            "recouvrement.action",
            [("state", "!=", "cancelled")],
            ["name", "partner_id", "level_id", "channel", "state", "amount_due"],
            ["channel"],
        ),
    }
    figures = {}
    with freeze_time(now):
        for name, (model, domain, fields_, groupby) in calls.items():
            Model = env[model]
            _result, list_figures = measure(
                lambda Model=Model, domain=domain, fields_=fields_: (
                    Model.web_search_read(
                        domain, {f: {} for f in fields_}, limit=80, count_limit=10001
                    )
                )
            )
            _result, group_figures = measure(
                lambda Model=Model, domain=domain, groupby=groupby: (
                    Model.web_read_group(domain, ["__count"], groupby)
                )
            )
            figures[name] = {
                "list_ms": list_figures["ms"],
                "list_queries": list_figures["queries"],
                "grouped_ms": group_figures["ms"],
            }
    emit(step="screens", invoices=env["account.move"].search_count([]), **figures)


def step_oca():
    """OCA account_credit_control 18.0 on the same data: a 3-level e-mail
    policy (D+7, D+30, D+60), its run, then its e-mailer."""
    receivables = env["account.account"].search(
        [("account_type", "=", "asset_receivable")]
    )
    template = env.ref("account_credit_control.email_template_credit_control_base")
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench: 3 levels",
            "account_ids": [(6, 0, receivables.ids)],
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"Level {level}",
                        "level": level,
                        "computation_mode": "net_days"
                        if level == 1
                        else "previous_date",
                        "delay_days": days,
                        "email_template_id": template.id,
                        "channel": "email",
                        "custom_text": "Reminder",
                        "custom_mail_text": "<p>Reminder</p>",
                    },
                )
                for level, days in ((1, 7), (2, 23), (3, 30))
            ],
        }
    )
    env.company.credit_policy_id = policy
    overdue = overdue_invoices()
    use_server()
    before_bytes = filestore_bytes()
    with freeze_time(now):
        run = env["credit.control.run"].create(
            {"date": on_date, "policy_ids": [(6, 0, policy.ids)]}
        )
        _result, lines_figures = measure(run.generate_credit_lines)
        lines = run.line_ids
        lines.write({"state": "to_be_sent"})
        emailer = (
            env["credit.control.emailer"]
            .with_context(active_model="credit.control.line", active_ids=lines.ids)
            .create({})
        )
        _result, mail_figures = measure(emailer.email_lines)
    mails = env["mail.mail"].search_count([])
    env.cr.commit()
    emit(
        step="oca",
        overdue_invoices=overdue,
        lines=len(lines),
        mails=mails,
        lines_run=lines_figures,
        emailer=mail_figures,
        seconds=round(lines_figures["seconds"] + mail_figures["seconds"], 2),
        queries=lines_figures["queries"] + mail_figures["queries"],
        **production_figures(before_bytes),
    )


def step_sent():
    """Production mode: the open invoices as Odoo leaves them once sent,
    their PDF stored (``invoice_pdf_report_id``, what the shipped e-mail
    levels attach). One invoice's PDF is rendered by wkhtmltopdf and
    stored for every invoice (the same file in the filestore: this
    dataset's invoices were never sent); not measured."""
    use_server()
    invoices = env["account.move"].search(OPEN_INVOICES, order="id")
    if not invoices:
        emit(step="sent", invoices=0)
        return
    pdf = env["ir.actions.report"]._render_qweb_pdf(
        "account.account_invoices", invoices[:1].ids
    )[0]
    env["ir.attachment"].create(
        [
            {
                "name": f"{(invoice.name or 'invoice').replace('/', '_')}.pdf",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": invoice.id,
                "res_field": "invoice_pdf_report_file",
            }
            for invoice in invoices
        ]
    )
    env.cr.commit()
    emit(step="sent", invoices=len(invoices), invoice_pdf_kb=round(len(pdf) / 1024, 1))


{
    "sent": step_sent,
    "generate": step_generate,
    "dunning": step_dunning,
    "agency": step_agency,
    "screens": step_screens,
    "baseline": step_baseline,
    "oca": step_oca,
}[step]()
