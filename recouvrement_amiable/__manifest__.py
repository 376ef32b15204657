{
    "name": "Recouvrement amiable",
    "summary": "Amicable debt recovery: dunning levels, automated reminders, "
    "disputes, installment plans and hand-over to collection agencies",
    "version": "18.0.1.4.0",
    "category": "Accounting/Accounting",
    "author": "recouvrement_amiable contributors",
    "license": "LGPL-3",
    "depends": [
        # customer invoices, receivable lines, payment terms, reconciliation
        "account",
        # chatter, mail templates, activities for phone calls
        "mail",
        # SMS reminders through Odoo's SMS gateway
        "sms",
        # E.164 normalisation of mobile numbers (wraps phonenumbers)
        "phone_validation",
        # customer portal: contest an invoice, sign a payment plan
        "portal",
        # company working calendar: public holidays for calls and SMS
        "resource",
        # --- debtor payment --- online payment of invoices from the debtor's
        # account page through Odoo's payment providers
        "account_payment",
        # --- proof of sending --- letters through Odoo's postal service
        "snailmail",
    ],
    "external_dependencies": {"python": ["xlsxwriter", "phonenumbers", "stdnum"]},
    "data": [
        "security/recouvrement_security.xml",
        "security/ir.model.access.csv",
        "report/recouvrement_report_templates.xml",
        "report/recouvrement_plan_report.xml",
        "data/mail_template_data.xml",
        "data/recouvrement_policy_data.xml",
        "data/ir_cron_data.xml",
        "data/recouvrement_plan_data.xml",
        "data/recouvrement_legal_rate_data.xml",
        "data/recouvrement_case_data.xml",
        "data/recouvrement_dispute_data.xml",
        "views/recouvrement_policy_views.xml",
        "views/recouvrement_action_views.xml",
        "views/recouvrement_run_views.xml",
        "views/recouvrement_plan_views.xml",
        "views/recouvrement_plan_portal_templates.xml",
        "views/recouvrement_dispute_views.xml",
        "views/portal_templates.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/recouvrement_call_outcome_views.xml",
        "wizards/recouvrement_case_transmit_views.xml",
        "views/recouvrement_case_views.xml",
        "views/recouvrement_legal_rate_views.xml",
        "wizards/recouvrement_penalty_invoice_views.xml",
        "views/recouvrement_penalty_views.xml",
        "views/recouvrement_debtor_page_views.xml",
        "views/recouvrement_kpi_views.xml",
        "wizards/recouvrement_start_views.xml",
        "wizards/recouvrement_previous_reminder_views.xml",
        # --- court file ---
        "data/recouvrement_proof_data.xml",
        "wizards/recouvrement_proof_entry_views.xml",
        "views/recouvrement_proof_views.xml",
        # --- proceedings ---
        "data/recouvrement_proceeding_data.xml",
        "report/recouvrement_proceeding_report.xml",
        "views/recouvrement_proceeding_views.xml",
        # --- doubtful receivables ---
        "data/recouvrement_doubtful_data.xml",
        "views/recouvrement_doubtful_views.xml",
        "report/recouvrement_court_file_report.xml",
        "views/recouvrement_court_file_views.xml",
        "wizards/recouvrement_write_off_views.xml",
        "views/debtor_account_templates.xml",
        "views/debtor_payment_templates.xml",
        "views/recouvrement_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "recouvrement_amiable/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
