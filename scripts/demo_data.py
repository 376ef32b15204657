# Run by scripts/demo inside `odoo shell` (env is Odoo's environment).
# ruff: noqa: F821
import base64
import io
import os
import time

from PIL import Image, ImageDraw, ImageFont

from odoo import fields

from odoo.addons.recouvrement_amiable.tools.data_generator import (
    ensure_current_rates,
    setup_french_company,
)
from odoo.addons.recouvrement_amiable.tools.demo_history import build_history

size = int(os.environ.get("DEMO_SIZE", "60"))
months = int(os.environ.get("DEMO_MONTHS", "6"))
company = setup_french_company(env)
env["res.lang"]._activate_lang("fr_FR")
env.ref("base.user_admin").write({"lang": "fr_FR", "tz": "Europe/Paris"})
company.partner_id.lang = "fr_FR"
company.resource_calendar_id.tz = "Europe/Paris"
company.partner_id.write(
    {"bank_ids": [(0, 0, {"acc_number": "FR76 3000 4000 0312 3456 7890 143"})]}
)
copied = ensure_current_rates(env, fields.Date.context_today(env.user))
if copied:
    print(
        f"demo: the rates of the last known half-year were copied to {copied.name}; "
        "enter the published ones"
    )
admin = env.ref("base.user_admin")
env["recouvrement.policy"].search([]).write({"collector_id": admin.id})


def text_logo(text):
    """A plain logo for the demo company (instead of Odoo's placeholder)."""
    image = Image.new("RGB", (420, 90), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 40)
    except OSError:
        font = ImageFont.load_default()
    draw.rounded_rectangle([4, 14, 66, 76], radius=12, fill=(30, 84, 140))
    draw.text((88, 45), text, font=font, fill=(30, 84, 140), anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


company.logo = text_logo("Atelier Lumière")
env.cr.commit()
started = time.monotonic()
summary = build_history(
    env,
    today=fields.Date.context_today(env.user),
    months=months,
    debtors=size,
    seed=2026,
    log=print,
)
env.cr.commit()
print(f"history of {months} months played in {time.monotonic() - started:.0f} s:")
for key, value in summary.items():
    print(f"  {key}: {value}")
