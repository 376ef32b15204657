import { registry } from "@web/core/registry";

// A collection manager opens the Recouvrement dashboard, follows the
// overdue card to the invoices behind it, comes back and opens the DSO
// chart, then switches the graph to a pivot table.
registry.category("web_tour.tours").add("recouvrement_cockpit_dashboard", {
    url: "/odoo/action-recouvrement_amiable.action_recouvrement_kpi_dashboard",
    steps: () => [
        {
            content: "The overdue card shows the overdue invoice",
            trigger: ".o_form_view div[name='card_overdue'] .o_field_widget[name='overdue_count']:contains('1')",
        },
        {
            content: "Follow the card to its invoices",
            trigger: ".o_form_view button[name='action_open_overdue']",
            run: "click",
        },
        {
            content: "The overdue invoice is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Cockpit SARL')",
        },
        {
            content: "Back to the dashboard",
            trigger: ".o_breadcrumb .breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "Open the DSO chart",
            trigger: ".o_form_view button[name='action_open_months']:first",
            run: "click",
        },
        {
            content: "The DSO is drawn as a graph",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Switch the graph to a pivot table",
            trigger: ".o_control_panel .o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the months and their DSO",
            trigger: ".o_pivot_view .o_pivot table th:contains('DSO (days)')",
        },
    ],
});
