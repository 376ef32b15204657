import { registry } from "@web/core/registry";

// The debtor opens the link of a reminder e-mail, downloads an invoice PDF,
// promises to pay and asks for a payment plan.
registry.category("web_tour.tours").add("recouvrement_debtor_account", {
    steps: () => [
        {
            content: "The account page lists the overdue invoice",
            trigger: ".o_recouvrement_account_row",
        },
        {
            content: "Download the invoice PDF",
            trigger: ".o_recouvrement_invoice_pdf",
            async run() {
                const response = await fetch(this.anchor.href);
                const type = response.headers.get("Content-Type");
                if (!response.ok || type !== "application/pdf") {
                    throw new Error(`Invoice PDF not downloaded: ${response.status} ${type}`);
                }
            },
        },
        {
            content: "Promise to pay at the latest date allowed",
            trigger: ".o_recouvrement_promise_form input[name='promise_date']",
            run() {
                this.anchor.value = this.anchor.max;
            },
        },
        {
            content: "Promise 500",
            trigger: ".o_recouvrement_promise_form input[name='amount']",
            run: "edit 500",
        },
        {
            content: "Record the promise",
            trigger: ".o_recouvrement_promise_form button[type='submit']",
            run: "click",
        },
        {
            content: "The promise is recorded",
            trigger: ".o_recouvrement_account_done:contains('promise')",
        },
        {
            content: "Ask for a plan in 3 installments",
            trigger: ".o_recouvrement_plan_form input[name='installments']",
            run: "edit 3",
        },
        {
            content: "Send the request",
            trigger: ".o_recouvrement_plan_form button[type='submit']",
            run: "click",
        },
        {
            content: "The request is recorded",
            trigger: ".o_recouvrement_account_done:contains('payment plan')",
        },
    ],
});

// The collector finds the plan the debtor asked for.
registry.category("web_tour.tours").add("recouvrement_collector_debtor_plan", {
    steps: () => [
        {
            content: "Open the plan asked for by Menuiserie Durand",
            trigger:
                ".o_kanban_record:contains('Menuiserie Durand SARL'), .o_data_row:contains('Menuiserie Durand SARL')",
            run: "click",
        },
        {
            content: "It is a draft to review",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
    ],
});
