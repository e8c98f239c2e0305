//! Kubeclinic in the browser: paste or drop a manifest, read the findings, take the patched YAML.

mod app;
mod bridge;
mod components;
mod dom;
mod hooks;
mod state;

fn main() {
    dom::install_panic_hook();
    yew::Renderer::<app::App>::with_root(dom::app_root()).render();
}
