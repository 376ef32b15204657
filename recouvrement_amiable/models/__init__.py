from . import recouvrement_policy
from . import recouvrement_level
from . import recouvrement_action_statement
from . import recouvrement_action_timing
from . import recouvrement_action_documents
from . import recouvrement_action_activities
from . import recouvrement_action_channels
from . import recouvrement_action_portal
from . import recouvrement_action_proof
from . import recouvrement_action
from . import recouvrement_action_line
from . import recouvrement_run_batches
from . import recouvrement_run
from . import account_move_penalties
from . import account_move
from . import res_company
from . import res_config_settings
from . import res_partner_proceedings
from . import res_partner
from . import mail_activity
from . import mail_template
from . import recouvrement_case_handover
from . import recouvrement_case
from . import recouvrement_case_export
from . import recouvrement_dispute_reason
from . import recouvrement_dispute_resolution
from . import recouvrement_dispute_dunning
from . import recouvrement_dispute
from . import recouvrement_plan_invoices
from . import recouvrement_plan_schedule
from . import recouvrement_plan_accounting
from . import recouvrement_plan_signature
from . import recouvrement_plan_tracking
from . import recouvrement_plan
from . import recouvrement_plan_line
from . import recouvrement_plan_codebtor
from . import recouvrement_legal_rate
from . import recouvrement_penalty
from . import recouvrement_portal_access
from . import recouvrement_debtor_answer
from . import account_partial_reconcile

# --- cockpit ---
from . import recouvrement_kpi_snapshot
from . import recouvrement_kpi_activity
from . import recouvrement_kpi
from . import recouvrement_kpi_dashboard
from . import recouvrement_proceeding_declaration
from . import recouvrement_proceeding
from . import recouvrement_doubtful_rule
from . import recouvrement_doubtful_closing
from . import recouvrement_court_file_documents
from . import recouvrement_court_file_dunning
from . import recouvrement_court_file

# --- debtor page ---
from . import recouvrement_debtor_account

# --- debtor payment ---
from . import recouvrement_portal_payment
from . import payment_transaction
from . import snailmail_letter

# --- faults ---
from . import sms_sms
from . import mail_mail
