//! Kubeclinic in the browser: paste or drop a manifest, read the findings, take the patched YAML.
//! With `?embed` the same page shows only a compact diagnosis, for other sites to frame.

mod app;
mod bridge;
mod cel;
mod codemirror;
mod components;
mod dom;
mod embed;
mod gallery;
mod graph_view;
mod hooks;
mod record;
mod share;
mod state;

fn main() {
    // On a page that only loaded the wasm for `check_json` (the `<kube-clinic>` element in a
    // docs page) nothing is rendered and the page's own body is left alone.
    // An internal error stops the wasm at once; web/js/fatal.js tells the person.
    let Some(root) = dom::app_root() else {
        return;
    };
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    if embed::is_embed_mode(&search) {
        yew::Renderer::<embed::EmbedView>::with_root(root).render();
    } else {
        yew::Renderer::<app::App>::with_root(root).render();
    }
}
