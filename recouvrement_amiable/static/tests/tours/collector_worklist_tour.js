import { registry } from "@web/core/registry";

// A collector opens the worklist, validates a formal notice, then records
// the outcome of a call: a promise to pay.
registry.category("web_tour.tours").add("recouvrement_collector_worklist", {
    url: "/odoo/action-recouvrement_amiable.action_recouvrement_worklist",
    steps: () => [
        {
            content: "Open the formal notice waiting for validation",
            trigger: ".o_kanban_record:contains('Tour Notice SARL')",
            run: "click",
        },
        {
            content: "Read the message before sending",
            trigger: ".o_form_view .o_notebook a.nav-link:contains('Message')",
            run: "click",
        },
        {
            content: "The subject can be edited",
            trigger: ".o_form_view .o_field_widget[name='mail_subject'] input",
        },
        {
            content: "Send it",
            trigger: ".o_form_view button[name='action_validate']",
            run: "click",
        },
        {
            content: "It is now to print and post",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('To do')",
        },
        {
            content: "Back to the worklist",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "Open the call to make",
            trigger: ".o_kanban_record:contains('Tour Call SAS')",
            run: "click",
        },
        {
            content: "Record the call's outcome",
            trigger: ".o_form_view button[name='action_record_outcome']",
            run: "click",
        },
        {
            content: "The customer promises to pay",
            trigger: ".modal .o_field_widget[name='outcome'] input[data-value='promise']",
            run: "click",
        },
        {
            content: "Promised amount defaults to the amount due",
            trigger: ".modal .o_field_widget[name='promise_amount'] input:value('1,500.00')",
        },
        {
            content: "Record it",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The call is done with its promise",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});
