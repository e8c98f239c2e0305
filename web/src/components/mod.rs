//! The page's parts. Every component is a `#[function_component]`; the editor takes props and
//! callbacks, the result panes read the app context.

mod editor;
mod finding_detail;
mod findings_list;
mod fix_preview;
mod graph;
mod header;
mod markup;
mod notice_bar;
mod rule_browser;
mod settings_panel;
mod tabs;

pub use editor::Editor;
pub use findings_list::FindingsList;
pub use fix_preview::FixPreview;
pub use graph::GraphPanel;
pub use header::Header;
pub use notice_bar::NoticeBar;
pub use rule_browser::RuleBrowser;
pub use settings_panel::SettingsPanel;
pub use tabs::Tabs;

use yew::prelude::*;

use crate::app::AppContext;

/// The app context; every component below `App` has it.
#[hook]
fn use_app() -> AppContext {
    use_context::<AppContext>().expect("components are rendered inside App")
}
