//! Everything the person changes, in one reducer. Findings and the patched text are derived from
//! `text` with `use_memo` and never stored here.

use std::rc::Rc;

use kubeclinic_engine::Settings;
use yew::Reducible;

use crate::bridge::{Pane, Selection, EXAMPLE, EXAMPLE_NAME};
use crate::gallery::GALLERY;
pub use crate::record::{Saved, Theme};

/// How many applied patches Undo can take back.
const UNDO_DEPTH: usize = 20;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Findings,
    Patched,
    Graph,
    Rules,
    Settings,
}

/// A request to select a range in the editor; `seq` makes a second click on the same finding
/// select it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reveal {
    pub seq: u32,
    /// The editor to select in.
    pub pane: Pane,
    pub selection: Selection,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Info(String),
    Error(String),
}

/// Which findings the list shows; empty sets show everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Severities hidden (`error`, `warning`, `info`).
    pub hidden: Vec<&'static str>,
    pub category: Option<&'static str>,
    pub rule: Option<&'static str>,
}

impl Filter {
    pub fn is_active(&self) -> bool {
        !self.hidden.is_empty() || self.category.is_some() || self.rule.is_some()
    }
}

/// The text before a patch was applied to it, with what the patch did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undo {
    pub text: String,
    pub what: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub text: String,
    /// What the cluster said (`kubectl describe`, events, logs), when pasted in its own pane.
    /// Checked with `text`, never patched.
    pub cluster: String,
    /// Whether the cluster-output pane is shown (always while it holds text).
    pub cluster_open: bool,
    /// Where the text came from: the example, a dropped file, or typing.
    pub source: String,
    /// Unsafe fixes are reviewed in the diff before use, so they are included by default.
    pub include_unsafe: bool,
    pub tab: Tab,
    pub selected: Option<usize>,
    pub reveal: Option<Reveal>,
    /// The rule the reference should open and scroll to.
    pub focus_rule: Option<&'static str>,
    pub notice: Option<Notice>,
    pub settings: Settings,
    pub theme: Theme,
    pub filter: Filter,
    /// Texts before each applied patch, the latest last.
    pub undo: Vec<Undo>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            text: EXAMPLE.to_string(),
            cluster: String::new(),
            cluster_open: false,
            source: EXAMPLE_NAME.to_string(),
            include_unsafe: true,
            tab: Tab::Findings,
            selected: None,
            reveal: None,
            focus_rule: None,
            notice: None,
            settings: Settings::default(),
            theme: Theme::System,
            filter: Filter::default(),
            undo: Vec::new(),
        }
    }
}

impl State {
    pub fn restore(saved: Option<Saved>) -> Self {
        match saved {
            Some(saved) => Self {
                text: saved.text,
                cluster_open: !saved.cluster.is_empty(),
                cluster: saved.cluster,
                source: saved.source,
                include_unsafe: saved.include_unsafe,
                settings: saved.settings,
                theme: saved.theme,
                ..Self::default()
            },
            None => Self::default(),
        }
    }

    pub fn saved(&self) -> Saved {
        Saved {
            text: self.text.clone(),
            cluster: self.cluster.clone(),
            source: self.source.clone(),
            include_unsafe: self.include_unsafe,
            settings: self.settings.clone(),
            theme: self.theme,
            ..Saved::default()
        }
    }
}

pub enum Action {
    Edit(String),
    /// The cluster-output pane's text changed.
    EditCluster(String),
    /// Shows or hides the cluster-output pane; hiding it moves its text to the end of the
    /// manifests box, so nothing the person pasted is lost.
    ShowCluster(bool),
    Load {
        name: String,
        text: String,
    },
    /// Loads the sample `GALLERY[i]`.
    LoadExample(usize),
    IncludeUnsafe(bool),
    Show(Tab),
    ShowRule(&'static str),
    Select {
        id: usize,
        pane: Pane,
        selection: Selection,
        line: usize,
    },
    Notify(Notice),
    DismissNotice,
    /// Replaces the text with a patched one that Undo can take back.
    ApplyPatch {
        text: String,
        what: String,
    },
    Undo,
    Settings(Settings),
    Theme(Theme),
    Filter(Filter),
    /// Text and settings from a share link.
    Shared {
        text: String,
        cluster: String,
        settings: Settings,
    },
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(text) => {
                if text == next.text {
                    return self;
                }
                if GALLERY.iter().any(|s| next.source == s.file) || next.text.is_empty() {
                    next.source = "edited".to_string();
                }
                next.text = text;
                next.selected = None;
            }
            Action::EditCluster(cluster) => {
                if cluster == next.cluster {
                    return self;
                }
                next.cluster = cluster;
                next.cluster_open = true;
                next.selected = None;
            }
            Action::ShowCluster(open) => {
                if !open && !next.cluster.trim().is_empty() {
                    let cluster = std::mem::take(&mut next.cluster);
                    if !next.text.is_empty() && !next.text.ends_with('\n') {
                        next.text.push('\n');
                    }
                    next.text.push_str(&cluster);
                    next.notice = Some(Notice::Info(
                        "The cluster output moved to the end of the manifests box.".to_string(),
                    ));
                }
                next.cluster_open = open;
                next.selected = None;
            }
            Action::Load { name, text } => {
                next.notice = Some(Notice::Info(format!("Loaded {name}.")));
                next.text = text;
                next.source = name;
                next.selected = None;
                next.tab = Tab::Findings;
            }
            Action::LoadExample(index) => {
                let sample = &GALLERY[index.min(GALLERY.len() - 1)];
                next.text = sample.text.to_string();
                next.cluster.clear();
                next.cluster_open = false;
                next.source = sample.file.to_string();
                next.selected = None;
                next.notice = None;
                next.tab = Tab::Findings;
            }
            Action::IncludeUnsafe(include) => next.include_unsafe = include,
            Action::Show(tab) => next.tab = tab,
            Action::ShowRule(id) => {
                next.tab = Tab::Rules;
                next.focus_rule = Some(id);
            }
            Action::Select {
                id,
                pane,
                selection,
                line,
            } => {
                next.selected = Some(id);
                let seq = self.reveal.map_or(0, |r| r.seq.wrapping_add(1));
                next.reveal = Some(Reveal {
                    seq,
                    pane,
                    selection,
                    line,
                });
            }
            Action::Notify(notice) => next.notice = Some(notice),
            Action::DismissNotice => next.notice = None,
            Action::ApplyPatch { text, what } => {
                if text == next.text {
                    return self;
                }
                let before = std::mem::replace(&mut next.text, text);
                next.undo.push(Undo {
                    text: before,
                    what: what.clone(),
                });
                if next.undo.len() > UNDO_DEPTH {
                    next.undo.remove(0);
                }
                next.selected = None;
                next.notice = Some(Notice::Info(format!(
                    "Applied: {what}. Undo takes it back."
                )));
            }
            Action::Undo => {
                let Some(undo) = next.undo.pop() else {
                    return self;
                };
                next.text = undo.text;
                next.selected = None;
                next.notice = Some(Notice::Info(format!("Undone: {}.", undo.what)));
            }
            Action::Settings(settings) => next.settings = settings,
            Action::Theme(theme) => next.theme = theme,
            Action::Filter(filter) => next.filter = filter,
            Action::Shared {
                text,
                cluster,
                settings,
            } => {
                next.text = text;
                next.cluster_open = !cluster.is_empty();
                next.cluster = cluster;
                next.settings = settings;
                next.source = "share link".to_string();
                next.selected = None;
                next.tab = Tab::Findings;
                next.notice = Some(Notice::Info(
                    "Loaded the text and settings of a share link.".to_string(),
                ));
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(state: State, actions: Vec<Action>) -> State {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        (*state).clone()
    }

    #[test]
    fn opens_on_the_example_unless_text_was_saved() {
        let fresh = State::restore(None);
        assert_eq!(fresh.text, EXAMPLE);
        assert!(fresh.include_unsafe);
        let saved = Saved {
            text: "kind: Pod\n".into(),
            source: "edited".into(),
            include_unsafe: false,
            ..Saved::default()
        };
        let restored = State::restore(Some(saved.clone()));
        assert_eq!(restored.saved(), saved);
    }

    #[test]
    fn the_cluster_pane_is_kept_and_closing_it_loses_nothing() {
        let state = apply(
            State::default(),
            vec![Action::EditCluster(
                "Events:\n  Warning  BackOff  pod/x\n".into(),
            )],
        );
        assert!(state.cluster_open);
        let restored = State::restore(Some(state.saved()));
        assert_eq!(restored.cluster, state.cluster);
        assert!(
            restored.cluster_open,
            "a pane with text opens after a reload"
        );
        let closed = apply(state.clone(), vec![Action::ShowCluster(false)]);
        assert!(!closed.cluster_open && closed.cluster.is_empty());
        assert!(closed.text.starts_with(EXAMPLE));
        assert!(closed.text.ends_with(&state.cluster), "{}", closed.text);
        let emptied = apply(
            State::default(),
            vec![Action::ShowCluster(true), Action::ShowCluster(false)],
        );
        assert_eq!(emptied.text, EXAMPLE, "an empty pane moves nothing");
    }

    #[test]
    fn editing_clears_the_selection_and_example_reloads() {
        let selection = Selection { start: 1, end: 4 };
        let state = apply(
            State::default(),
            vec![
                Action::Select {
                    id: 2,
                    pane: Pane::Manifests,
                    selection,
                    line: 3,
                },
                Action::Select {
                    id: 2,
                    pane: Pane::Manifests,
                    selection,
                    line: 3,
                },
            ],
        );
        assert_eq!(state.selected, Some(2));
        assert_eq!(
            state.reveal.map(|r| r.seq),
            Some(1),
            "a second click reveals again"
        );
        let state = apply(state, vec![Action::Edit("a: 1\n".into())]);
        assert_eq!((state.selected, state.source.as_str()), (None, "edited"));
        let state = apply(state, vec![Action::LoadExample(0)]);
        assert_eq!(
            (state.text.as_str(), state.source.as_str()),
            (EXAMPLE, EXAMPLE_NAME)
        );
        let state = apply(state, vec![Action::LoadExample(1)]);
        assert_eq!(state.source.as_str(), crate::bridge::RUNTIME_EXAMPLE_NAME);
        let state = apply(state, vec![Action::Edit("a: 1\n".into())]);
        assert_eq!(state.source.as_str(), "edited");
    }
}

#[cfg(test)]
mod undo_tests {
    use super::*;

    #[test]
    fn applied_patches_are_undone_in_reverse_order() {
        let mut state = Rc::new(State::restore(None));
        let original = state.text.clone();
        state = state.reduce(Action::ApplyPatch {
            text: "one\n".into(),
            what: "first".into(),
        });
        state = state.reduce(Action::ApplyPatch {
            text: "two\n".into(),
            what: "second".into(),
        });
        assert_eq!(state.undo.len(), 2);
        state = state.reduce(Action::Undo);
        assert_eq!(state.text, "one\n");
        assert_eq!(
            state.notice,
            Some(Notice::Info("Undone: second.".to_string()))
        );
        state = state.reduce(Action::Undo);
        assert_eq!(state.text, original);
        let unchanged = state.clone();
        assert!(Rc::ptr_eq(&unchanged, &state.reduce(Action::Undo)));
    }

    #[test]
    fn undo_keeps_a_bounded_history() {
        let mut state = Rc::new(State::default());
        for n in 0..30 {
            state = state.reduce(Action::ApplyPatch {
                text: format!("{n}\n"),
                what: format!("patch {n}"),
            });
        }
        assert_eq!(state.undo.len(), UNDO_DEPTH);
    }

    #[test]
    fn an_emptied_editor_stays_empty_after_a_reload() {
        let emptied = Saved {
            text: String::new(),
            source: "edited".into(),
            ..Saved::default()
        };
        assert_eq!(State::restore(Some(emptied)).text, "");
    }
}
