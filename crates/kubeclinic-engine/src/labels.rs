//! Label selectors as the API server evaluates them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub type Labels<'a> = BTreeMap<&'a str, &'a str>;

/// `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist) all hold.
pub fn selector_matches(selector: &LabelSelector, labels: &Labels) -> bool {
    let by_labels = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k.as_str()) == Some(&v.as_str()));
    let by_expressions = selector.match_expressions.iter().flatten().all(|req| {
        let value = labels.get(req.key.as_str());
        let values = req.values.as_deref().unwrap_or_default();
        match req.operator.as_str() {
            "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
            "NotIn" => value.is_none_or(|v| values.iter().all(|x| x != v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    by_labels && by_expressions
}

/// A selector with no requirements selects everything.
pub fn selects_everything(selector: &LabelSelector) -> bool {
    selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty)
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    #[test]
    fn expressions_and_labels_both_count() {
        let selector = LabelSelector {
            match_labels: Some([("app".to_string(), "web".to_string())].into()),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "tier".into(),
                operator: "NotIn".into(),
                values: Some(vec!["db".into()]),
            }]),
        };
        let web: Labels = [("app", "web")].into();
        let web_db: Labels = [("app", "web"), ("tier", "db")].into();
        assert!(selector_matches(&selector, &web));
        assert!(!selector_matches(&selector, &web_db));
        assert!(selects_everything(&LabelSelector::default()));
    }
}
