import { registry } from "@web/core/registry";

// A collection manager selects a customer's overdue invoices in the invoice
// list, hands them over to the agency, then reads the agency file: its
// invoices and its case.
registry.category("web_tour.tours").add("recouvrement_manager_agency", {
    url: "/odoo/action-account.action_move_out_invoice_type",
    steps: () => [
        {
            content: "Select the customer's first overdue invoice",
            trigger:
                ".o_data_row:contains('Tour Agence SARL'):eq(0) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Select its second overdue invoice",
            trigger:
                ".o_data_row:contains('Tour Agence SARL'):eq(1) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the actions of the selection",
            trigger: ".o_control_panel .o_cp_action_menus button:contains('Actions')",
            run: "click",
        },
        {
            content: "Transmit them to the agency",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Transmit to agency')",
            run: "click",
        },
        {
            content: "The only agency is proposed",
            trigger:
                ".modal .o_field_widget[name='agency_id'] input:value('Cabinet Tour SAS')",
        },
        {
            content: "One debtor",
            trigger: ".modal .o_field_widget[name='debtor_count']:contains('1')",
        },
        {
            content: "A note to the agency",
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit Client prévenu par téléphone.",
        },
        {
            content: "Transmit",
            trigger: ".modal button[name='action_transmit']",
            run: "click",
        },
        {
            content: "The agency file opens with its case",
            trigger:
                ".o_form_view .o_field_widget[name='case_ids'] .o_data_row:contains('Tour Agence SARL')",
        },
        {
            content: "Its invoices",
            trigger: ".o_form_view .o_notebook a.nav-link:contains('Invoices')",
            run: "click",
        },
        {
            content: "Both handed-over invoices are listed",
            trigger:
                ".o_form_view .o_field_widget[name='move_ids'] .o_data_row:eq(1):contains('Tour Agence SARL')",
        },
        {
            content: "The file can be downloaded",
            trigger: ".o_form_view .o_field_widget[name='attachment_ids'] a:contains('.xlsx')",
        },
    ],
});
