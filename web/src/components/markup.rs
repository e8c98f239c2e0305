//! Text from the engine with `backticks` rendered as code.

use yew::prelude::*;

/// Splits `text` into (is_code, part) runs; unbalanced backticks stay as they are.
pub fn code_spans(text: &str) -> Vec<(bool, &str)> {
    if text.matches('`').count() % 2 == 1 {
        return vec![(false, text)];
    }
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| (i % 2 == 1, part))
        .collect()
}

pub fn inline(text: &str) -> Html {
    code_spans(text)
        .into_iter()
        .map(|(code, part)| {
            if code {
                html! { <code>{ part.to_string() }</code> }
            } else {
                html! { { part.to_string() } }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_become_code_runs() {
        assert_eq!(
            code_spans("tag `latest` moves"),
            vec![(false, "tag "), (true, "latest"), (false, " moves")]
        );
        assert_eq!(code_spans("a ` b"), vec![(false, "a ` b")]);
        assert_eq!(code_spans("`x`"), vec![(true, "x")]);
    }
}
