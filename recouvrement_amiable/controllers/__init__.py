from . import portal
from . import plan_portal

# --- debtor page ---
from . import debtor_account

# --- debtor payment ---
from . import debtor_payment
