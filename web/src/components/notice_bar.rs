use yew::prelude::*;

use super::use_app;
use crate::state::{Action, Notice};

#[function_component(NoticeBar)]
pub fn notice_bar() -> Html {
    let ctx = use_app();
    let Some(notice) = &ctx.state.notice else {
        return html! {};
    };
    let (class, text) = match notice {
        Notice::Info(text) => ("notice notice-info", text),
        Notice::Error(text) => ("notice notice-error", text),
    };
    let dismiss = {
        let state = ctx.state.clone();
        Callback::from(move |_| state.dispatch(Action::DismissNotice))
    };
    html! {
        <div class={class} role="status" data-testid="notice">
            <span>{ text.clone() }</span>
            <button class="ghost" onclick={dismiss} aria-label="Dismiss">{ "×" }</button>
        </div>
    }
}
