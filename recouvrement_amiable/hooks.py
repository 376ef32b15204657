def post_init_hook(env):
    """Companies that existed before the install get the shipped policies."""
    env["res.company"].search([])._recouvrement_install_default_policies()
