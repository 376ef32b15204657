from . import test_foundation
from . import test_dunning_run
from . import test_dunning_pressure
from . import test_dunning_security
from . import test_worklist_tour
from . import test_agency
from . import test_agency_tour
from . import test_dispute
from . import test_mail_template
from . import test_payment_plan
from . import test_penalties
from . import test_prescription
from . import test_debtor_link

# --- cockpit ---
from . import test_cockpit
from . import test_cockpit_tour
from . import test_start_recovery
from . import test_notice_proof
from . import test_proceedings
from . import test_doubtful

# --- reminders in production ---
from . import test_reminder_attachments
from . import test_court_file

# --- debtor page ---
from . import test_debtor_account
from . import test_debtor_account_tour
from . import test_debtor_payment
from . import test_dunning_run_batches
from . import test_demo_history
from . import test_court_file_tour

# --- faults ---
from . import test_dunning_faults
from . import test_odoo_internals
