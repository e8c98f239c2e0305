use yew::prelude::*;

use super::use_app;
use crate::dom;
use crate::share::{self, Payload};
use crate::state::Action;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where making a share link stands.
#[derive(Clone, PartialEq)]
enum Sharing {
    /// The text seems to hold secrets: say so and wait for a second click.
    Warned(String),
    Made {
        link: String,
        note: String,
    },
    Failed(String),
}

#[function_component(Header)]
pub fn header() -> Html {
    let ctx = use_app();
    let d = &ctx.analysis.diagnosis;
    let sharing = use_state(|| None::<Sharing>);

    let make_link = {
        let sharing = sharing.clone();
        let text = ctx.state.text.clone();
        let cluster = ctx.state.cluster.clone();
        let settings = ctx.state.settings.clone();
        Callback::from(move |_: MouseEvent| {
            let sharing = sharing.clone();
            let payload = Payload::new(&text, &cluster, &settings);
            wasm_bindgen_futures::spawn_local(async move {
                let made = match share::fragment(&payload).await {
                    Ok(fragment) => {
                        let link = dom::link_with(&fragment);
                        let size = link.len().div_ceil(1024);
                        let mut note = match dom::copy_text(&link).await {
                            Ok(()) => format!("Link copied ({size} KB)."),
                            Err(_) => format!("Link made ({size} KB): copy it from the box."),
                        };
                        if link.len() > share::LONG_LINK {
                            note.push_str(" Long links can be cut by chat and mail tools.");
                        }
                        Sharing::Made { link, note }
                    }
                    Err(why) => Sharing::Failed(format!("Could not make a link: {why}.")),
                };
                sharing.set(Some(made));
            });
        })
    };
    let on_share = {
        let sharing = sharing.clone();
        let make_link = make_link.clone();
        // Both panes go into the link, so both are looked at.
        let warning =
            share::secrets_warning(&format!("{}\n{}", ctx.state.text, ctx.state.cluster), d);
        Callback::from(move |e: MouseEvent| match &warning {
            Some(warning) => sharing.set(Some(Sharing::Warned(warning.clone()))),
            None => make_link.emit(e),
        })
    };
    let close = {
        let sharing = sharing.clone();
        Callback::from(move |_: MouseEvent| sharing.set(None))
    };
    let on_theme = {
        let state = ctx.state.clone();
        let next = ctx.state.theme.next();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Theme(next)))
    };
    let share_box = match &*sharing {
        None => html! {},
        Some(Sharing::Warned(warning)) => html! {
            <div class="share-box share-warning" role="alertdialog" aria-label="Share link" data-testid="share-warning">
                <p>{ warning.clone() }</p>
                <button class="primary" onclick={make_link}>{ "Make the link anyway" }</button>
                <button class="secondary" onclick={close}>{ "Cancel" }</button>
            </div>
        },
        Some(Sharing::Made { link, note }) => html! {
            <div class="share-box" role="status" aria-label="Share link">
                <p>{ note.clone() }{ " The text is in the link's fragment, which is never sent to a server." }</p>
                <input class="share-link" readonly=true value={link.clone()} data-testid="share-link"
                    aria-label="Share link" />
                <button class="ghost" onclick={close} aria-label="Close">{ "×" }</button>
            </div>
        },
        Some(Sharing::Failed(why)) => html! {
            <div class="share-box share-warning" role="alert">
                <p>{ why.clone() }</p>
                <button class="ghost" onclick={close} aria-label="Close">{ "×" }</button>
            </div>
        },
    };
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
            <div class="actions">
                <button class="secondary" onclick={on_share} data-testid="share"
                    title="A link that carries the text and settings in its fragment">{ "Share link" }</button>
                <button class="secondary" onclick={on_theme} data-testid="theme"
                    data-theme-choice={ctx.state.theme.attribute().unwrap_or("system")}>
                    { ctx.state.theme.label() }
                </button>
            </div>
            <p class="privacy">{ "Runs entirely in this page: nothing you paste leaves your browser." }</p>
            { share_box }
        </header>
    }
}
