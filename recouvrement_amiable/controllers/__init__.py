from . import portal
from . import plan_portal

# --- debtor payment ---
from . import debtor_payment
