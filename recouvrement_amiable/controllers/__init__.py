from . import portal
from . import plan_portal

# --- debtor page ---
from . import debtor_account
