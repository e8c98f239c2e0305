use yew::prelude::*;

use super::use_app;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[function_component(Header)]
pub fn header() -> Html {
    let ctx = use_app();
    let d = &ctx.analysis.diagnosis;
    html! {
        <header class="topbar">
            <div class="brand">
                <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                    <path d="M16 2 28.1 9v14L16 30 3.9 23V9Z" fill="#326ce5" />
                    <path d="M13.5 9h5v4.5H23v5h-4.5V23h-5v-4.5H9v-5h4.5Z" fill="#fff" />
                </svg>
                <div>
                    <h1>{ "Kubeclinic" }</h1>
                    <p class="tagline">{ "An offline doctor for Kubernetes manifests" }</p>
                </div>
            </div>
            <div class="summary" data-testid="summary" aria-live="polite">
                <span class={classes!("chip", "chip-error", (d.errors == 0).then_some("chip-zero"))}>
                    { plural(d.errors, "error", "errors") }
                </span>
                <span class={classes!("chip", "chip-warning", (d.warnings == 0).then_some("chip-zero"))}>
                    { plural(d.warnings, "warning", "warnings") }
                </span>
                <span class={classes!("chip", "chip-info", (d.infos == 0).then_some("chip-zero"))}>
                    { format!("{} info", d.infos) }
                </span>
                <span class="chip chip-plain">{ plural(d.objects, "object", "objects") }</span>
                if d.suppressed > 0 {
                    <span class="chip chip-plain" data-testid="suppressed" title="Silenced by kubeclinic.io/ignore annotations or # kubeclinic: ignore[...] comments">{ format!("{} suppressed", d.suppressed) }</span>
                }
                if let Some(reading) = &d.reading {
                    <span class="chip chip-plain" data-testid="reading" title="How the paste was read">{ format!("read: {reading}") }</span>
                }
                if ctx.analysis.pending {
                    <span class="checking" data-testid="pending">{ "checking…" }</span>
                }
            </div>
            <p class="privacy">{ "Runs entirely in this page: nothing you paste leaves your browser." }</p>
        </header>
    }
}
