//! The engine's `Settings`, as a form: profile, Kubernetes version, allowed registries, and
//! each rule on or off with its severity. Changes re-check at once, are kept with the text,
//! and travel in share links.

use kubeclinic_engine::rules::REGISTRY;
use kubeclinic_engine::{KubeVersion, Profile, Settings, Severity};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::use_app;
use crate::bridge;
use crate::dom;
use crate::state::{Action, Notice};

/// The oldest version offered: older clusters are long out of support.
const OLDEST_MINOR: u32 = 16;

const PROFILES: [(Profile, &str); 3] = [
    (
        Profile::Minimal,
        "Only what breaks a deployment: it will not apply, start, pull, schedule or stay up.",
    ),
    (
        Profile::Recommended,
        "What breaks, and what is a real risk in production.",
    ),
    (
        Profile::Strict,
        "Adds Pod Security restricted and best practices.",
    ),
];

/// Turns one rule on or off on top of the profile: off goes into `ignore`, on for a rule
/// the profile leaves out goes into `extendSelect`.
pub fn toggle_rule(settings: &Settings, id: &str, on: bool) -> Settings {
    let mut next = settings.clone();
    next.ignore.retain(|s| s != id);
    next.extend_select.retain(|s| s != id);
    let in_profile = kubeclinic_engine::rules::find(id).is_some_and(|meta| {
        if settings.select.is_empty() {
            meta.profile <= settings.profile
        } else {
            settings
                .select
                .iter()
                .any(|s| s == "all" || s == meta.id || s == meta.category.as_str())
        }
    });
    match (on, in_profile) {
        (true, false) => next.extend_select.push(id.to_string()),
        (false, _) => next.ignore.push(id.to_string()),
        (true, true) => {}
    }
    next
}

/// Registries from a text box: one per line or comma separated, blanks dropped.
pub fn parse_registries(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[function_component(SettingsPanel)]
pub fn settings_panel() -> Html {
    let ctx = use_app();
    let settings = ctx.state.settings.clone();
    let handle = ctx.analysis.checker.clone();
    let query = use_state(String::new);
    let set = {
        let state = ctx.state.clone();
        Callback::from(move |settings: Settings| state.dispatch(Action::Settings(settings)))
    };

    let on_export = {
        let settings = settings.clone();
        let state = ctx.state.clone();
        Callback::from(move |_: MouseEvent| {
            let text = bridge::settings_to_config(&settings);
            let notice = match dom::download(bridge::CONFIG_FILE, &text, "application/yaml") {
                Ok(()) => Notice::Info(format!("Saved as {}.", bridge::CONFIG_FILE)),
                Err(why) => Notice::Error(format!("Could not save: {why}")),
            };
            state.dispatch(Action::Notify(notice));
        })
    };
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let on_import = {
        let state = ctx.state.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let name = file.name();
            let state = state.clone();
            let task = gloo::file::callbacks::read_as_text(&file.into(), move |text| {
                let outcome = text
                    .map_err(|e| format!("Could not read {name}: {e}"))
                    .and_then(|text| bridge::settings_from_config(&text, &name));
                match outcome {
                    Ok((settings, unused)) => {
                        state.dispatch(Action::Settings(settings));
                        state.dispatch(Action::Notify(Notice::Info(
                            unused.unwrap_or_else(|| format!("Settings read from {name}.")),
                        )));
                    }
                    Err(message) => state.dispatch(Action::Notify(Notice::Error(message))),
                }
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let picker = use_node_ref();
    let open_picker = {
        let picker = picker.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = picker.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };

    let profile_radio = |(profile, about): &(Profile, &str)| {
        let profile = *profile;
        let onchange = {
            let set = set.clone();
            let settings = settings.clone();
            Callback::from(move |_: Event| {
                set.emit(Settings {
                    profile,
                    ..settings.clone()
                })
            })
        };
        html! {
            <label class="choice">
                <input type="radio" name="profile" value={profile.as_str()}
                    checked={settings.profile == profile} {onchange}
                    data-testid={format!("profile-{}", profile.as_str())} />
                <span><strong>{ profile.as_str() }</strong>{ " — " }{ *about }</span>
            </label>
        }
    };

    let on_version = {
        let set = set.clone();
        let settings = settings.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let value = select.value();
            set.emit(Settings {
                kubernetes_version: (!value.is_empty()).then_some(value),
                ..settings.clone()
            })
        })
    };
    let current_version = settings.kubernetes_version.clone().unwrap_or_default();
    let versions = (OLDEST_MINOR..=KubeVersion::NEWEST.minor)
        .rev()
        .map(|minor| format!("1.{minor}"));

    let on_registries = {
        let set = set.clone();
        let settings = settings.clone();
        Callback::from(move |e: Event| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            set.emit(Settings {
                allowed_registries: parse_registries(&area.value()),
                ..settings.clone()
            })
        })
    };
    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            query.set(input.value());
        })
    };
    let on_reset = {
        let set = set.clone();
        Callback::from(move |_: MouseEvent| set.emit(Settings::default()))
    };

    let active: Vec<&str> = handle.checker.rules().iter().map(|e| e.meta.id).collect();
    let needle = query.to_lowercase();
    let rows = REGISTRY
        .iter()
        .map(|e| e.meta)
        .filter(|m| {
            needle.is_empty() || m.id.contains(&needle) || m.category.as_str().contains(&needle)
        })
        .map(|meta| {
            let id = meta.id;
            let on = active.contains(&id);
            let on_toggle = {
                let set = set.clone();
                let settings = settings.clone();
                Callback::from(move |e: Event| {
                    let input: HtmlInputElement = e.target_unchecked_into();
                    set.emit(toggle_rule(&settings, id, input.checked()))
                })
            };
            let on_severity = {
                let set = set.clone();
                let settings = settings.clone();
                Callback::from(move |e: Event| {
                    let select: HtmlSelectElement = e.target_unchecked_into();
                    let mut next = settings.clone();
                    match Severity::parse(&select.value()) {
                        Some(severity) => next.severity.insert(id.to_string(), severity),
                        None => next.severity.remove(id),
                    };
                    set.emit(next)
                })
            };
            let chosen = settings.severity.get(id).map(|s| s.as_str()).unwrap_or("");
            html! {
                <tr key={id} data-rule={id}>
                    <td>
                        <label class="rule-toggle">
                            <input type="checkbox" checked={on} onchange={on_toggle}
                                aria-label={format!("Run {id}")} />
                            <code class="rule-id">{ id }</code>
                        </label>
                    </td>
                    <td class="muted">{ meta.category.as_str() }</td>
                    <td>
                        <select onchange={on_severity} aria-label={format!("Severity of {id}")}>
                            <option value="" selected={chosen.is_empty()}>
                                { format!("{} (own)", meta.severity.as_str()) }
                            </option>
                            { for ["error", "warning", "info"].iter().map(|s| html! {
                                <option value={*s} selected={chosen == *s}>{ *s }</option>
                            }) }
                        </select>
                    </td>
                </tr>
            }
        })
        .collect::<Html>();

    html! {
        <div class="settings" data-testid="settings">
            if let Some(error) = &handle.error {
                <p class="notice notice-error" role="alert" data-testid="settings-error">
                    { format!("These settings cannot be used ({error}); the default ones check the text meanwhile.") }
                </p>
            }
            <section class="block">
                <h3>{ "Configuration file" }</h3>
                <p class="muted">{ "The same settings as the CLI's configuration file: export them (as kubeclinic.yaml, which the CLI reads as it reads .kubeclinic.yaml) for your repository, or import such a file here." }</p>
                <div class="toolbar">
                    <button class="secondary" onclick={on_export} data-testid="config-export">{ "Export kubeclinic.yaml" }</button>
                    <button class="secondary" onclick={open_picker} data-testid="config-import">{ "Import…" }</button>
                    <input ref={picker} type="file" accept=".yaml,.yml,application/yaml,text/yaml"
                        class="hidden" onchange={on_import} data-testid="config-file" aria-label="Configuration file to import" />
                </div>
            </section>
            <section class="block">
                <h3>{ "Profile" }</h3>
                <div class="choices" role="radiogroup" aria-label="Profile">
                    { for PROFILES.iter().map(profile_radio) }
                </div>
            </section>
            <section class="block">
                <h3><label for="kube-version">{ "Kubernetes version" }</label></h3>
                <p class="muted">{ "What is deprecated or removed is judged against this version." }</p>
                <select id="kube-version" onchange={on_version} data-testid="kube-version">
                    <option value="" selected={current_version.is_empty()}>
                        { format!("newest known ({})", KubeVersion::NEWEST) }
                    </option>
                    { for versions.map(|v| html! {
                        <option value={v.clone()} selected={current_version == v}>{ v.clone() }</option>
                    }) }
                </select>
            </section>
            <section class="block">
                <h3><label for="registries">{ "Allowed registries" }</label></h3>
                <p class="muted">{ "One per line (registry.example.com, ghcr.io/acme). Empty: any registry." }</p>
                <textarea id="registries" class="small-code" rows="3" spellcheck="false"
                    data-testid="registries"
                    value={settings.allowed_registries.join("\n")}
                    onchange={on_registries} />
            </section>
            <section class="block">
                <h3>{ format!("Rules ({} of {} run)", active.len(), REGISTRY.len()) }</h3>
                <div class="toolbar">
                    <input type="search" placeholder="Filter by id or category" aria-label="Filter rules"
                        value={(*query).clone()} oninput={on_query} />
                    <span class="spacer" />
                    <button class="secondary" onclick={on_reset} data-testid="settings-reset">{ "Reset to defaults" }</button>
                </div>
                <table class="rule-table">
                    <thead><tr><th>{ "Rule" }</th><th>{ "Category" }</th><th>{ "Severity" }</th></tr></thead>
                    <tbody>{ rows }</tbody>
                </table>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_a_rule_moves_it_between_ignore_and_extend_select() {
        let default = Settings::default();
        let off = toggle_rule(&default, "image-tag-latest", false);
        assert_eq!(off.ignore, vec!["image-tag-latest"]);
        let on_again = toggle_rule(&off, "image-tag-latest", true);
        assert_eq!(on_again, default);
        let strict_only = REGISTRY
            .iter()
            .find(|e| e.meta.profile == Profile::Strict)
            .unwrap()
            .meta
            .id;
        let extended = toggle_rule(&default, strict_only, true);
        assert_eq!(extended.extend_select, vec![strict_only]);
        let checker = crate::bridge::checker_for(&extended).unwrap();
        assert!(checker.rules().iter().any(|e| e.meta.id == strict_only));
        assert_eq!(
            toggle_rule(&extended, strict_only, false).extend_select,
            Vec::<String>::new()
        );
    }

    #[test]
    fn registries_are_read_one_per_line_or_comma() {
        assert_eq!(
            parse_registries(" registry.example.com\n\nghcr.io/acme, quay.io \n"),
            vec!["registry.example.com", "ghcr.io/acme", "quay.io"]
        );
    }
}
