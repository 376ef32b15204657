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

# --- debtor page ---
from . import test_debtor_account
from . import test_debtor_account_tour
