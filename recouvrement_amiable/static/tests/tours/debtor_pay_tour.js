import { registry } from "@web/core/registry";

// The debtor opens the pay page of one invoice from their link and pays it
// with the demo provider: the page then thanks them, the invoice is paid.
registry.category("web_tour.tours").add("recouvrement_debtor_pay", {
    steps: () => [
        {
            content: "One invoice to pay",
            trigger: ".o_recouvrement_pay_invoices tbody tr:only-child",
        },
        {
            content: "Choose the demo provider",
            trigger: "input[name='o_payment_radio'][data-provider-code='demo']",
            run: "click",
        },
        {
            content: "Enter test card details",
            trigger: "input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']:enabled",
            run: "click",
        },
        {
            content: "Back on the page: the invoice is paid",
            trigger: ".o_recouvrement_pay_paid",
            timeout: 30000,
        },
    ],
});
