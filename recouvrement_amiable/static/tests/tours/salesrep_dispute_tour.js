import { registry } from "@web/core/registry";

// A sales rep opens their disputes, starts handling one and resolves it:
// the claim was unfounded, the invoice is due again.
registry.category("web_tour.tours").add("recouvrement_salesrep_dispute", {
    url: "/odoo/action-recouvrement_amiable.action_recouvrement_my_dispute",
    steps: () => [
        {
            content: "Open the dispute of Menuiserie Durand",
            trigger: ".o_kanban_record:contains('Menuiserie Durand SARL')",
            run: "click",
        },
        {
            content: "Start handling it",
            trigger: ".o_form_view button[name='action_start']",
            run: "click",
        },
        {
            content: "It is in progress",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('In progress')",
        },
        {
            content: "Resolve it",
            trigger: ".o_form_view button[name='action_resolve']",
            run: "click",
        },
        {
            content: "The claim is rejected",
            trigger: ".modal .o_field_widget[name='resolution'] input[data-value='rejected']",
            run: "click",
        },
        {
            content: "Explain the decision",
            trigger: ".modal .o_field_widget[name='note'] .odoo-editor-editable",
            run: "editor Livraison conforme au bon signé.",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The dispute is resolved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Resolved: rejected')",
        },
    ],
});
