"""18.0.1.1.0: invoices' dunning level no longer indexed; reminder lines
get the company and currencies they now store."""

from odoo.tools import sql


def migrate(cr, version):
    # Every run rewrites the level of thousands of invoices: an index on it
    # made each of those updates touch every index of account_move.
    sql.drop_index(cr, "account_move__recouvrement_level_id_index", "account_move")
    # Lines created before their company and currencies were stored values.
    cr.execute(
        """
        UPDATE recouvrement_action_line line
           SET company_id = COALESCE(line.company_id, action.company_id),
               currency_id = COALESCE(line.currency_id, company.currency_id)
          FROM recouvrement_action action
          JOIN res_company company ON company.id = action.company_id
         WHERE action.id = line.action_id
           AND (line.company_id IS NULL OR line.currency_id IS NULL)
        """
    )
    cr.execute(
        """
        UPDATE recouvrement_action_line line
           SET move_currency_id = move.currency_id
          FROM account_move move
         WHERE move.id = line.move_id
           AND line.move_currency_id IS NULL
        """
    )
