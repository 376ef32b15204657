import { registry } from "@web/core/registry";

// A collection manager opens a customer whose formal notice failed, prepares
// a court file from its Recouvrement tab and gets the ZIP.
registry.category("web_tour.tours").add("recouvrement_manager_court_file", {
    steps: () => [
        {
            content: "Open the customer's Recouvrement tab",
            trigger: ".o_form_view .o_notebook a.nav-link:contains('Recouvrement')",
            run: "click",
        },
        {
            content: "Prepare a court file",
            trigger: ".o_form_view button[name='action_recouvrement_prepare_court_file']",
            run: "click",
        },
        {
            content: "The court file opens with the formal notice",
            trigger: ".o_form_view .o_field_widget[name='notice_presented_date']:contains('11/06/2026')",
        },
        {
            content: "Small claims are proposed",
            trigger: ".o_form_view .o_field_widget[name='route_proposed']:contains('Small-claims')",
        },
        {
            content: "Prepare the file",
            trigger: ".o_form_view .o_form_statusbar button[name='action_prepare']:contains('Prepare the file')",
            run: "click",
        },
        {
            content: "The file is prepared",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Prepared')",
        },
        {
            content: "Its ZIP is attached",
            trigger: ".o_form_view .o_field_widget[name='attachment_id']:contains('.zip')",
        },
    ],
});
