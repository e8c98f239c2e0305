//! Label selectors as the API server evaluates them, and the selector questions rules ask of
//! the set: which pod templates a selector picks, and which comes closest when none does.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::model::Workspace;

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

/// One requirement of a selector as written (`app: web` of `matchLabels`, an item of
/// `matchExpressions`, an entry of a Service's plain `selector` map), with its bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement<'a> {
    pub key: &'a str,
    pub range: crate::text::TextRange,
    /// `key=value`, `key in (a,b)`, `!key` as people write them.
    pub text: String,
    expression: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement>,
    value: Option<&'a str>,
}

impl Requirement<'_> {
    /// True when `labels` meet this requirement.
    pub fn holds(&self, labels: &Labels) -> bool {
        match &self.expression {
            Some(req) => selector_matches(
                &LabelSelector {
                    match_labels: None,
                    match_expressions: Some(vec![req.clone()]),
                },
                labels,
            ),
            None => labels.get(self.key) == self.value.as_ref(),
        }
    }
}

/// The requirements of a selector node: a `LabelSelector` (`matchLabels`,
/// `matchExpressions`), or a plain map of labels.
pub fn requirements(node: &crate::yaml::Node) -> Vec<Requirement<'_>> {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
    fn pairs(map: &crate::yaml::Node) -> Vec<Requirement<'_>> {
        map.string_map()
            .into_iter()
            .map(|(k, v, e)| Requirement {
                key: k,
                range: crate::text::TextRange::new(e.key.span.start, e.value.span.end),
                text: format!("{k}={v}"),
                expression: None,
                value: Some(v),
            })
            .collect()
    }
    let labels = node.get("matchLabels");
    let expressions = node.get("matchExpressions");
    if labels.is_none() && expressions.is_none() {
        return pairs(node);
    }
    let mut out = labels.map(pairs).unwrap_or_default();
    for item in expressions
        .map(crate::yaml::Node::items)
        .unwrap_or_default()
    {
        let Ok(req) = crate::yaml::typed::<LabelSelectorRequirement>(item) else {
            continue;
        };
        let Some(key) = item.get("key").and_then(crate::yaml::Node::as_str) else {
            continue;
        };
        let values = req.values.as_deref().unwrap_or_default().join(",");
        let text = match req.operator.as_str() {
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {} ({values})", op.to_lowercase()),
        };
        out.push(Requirement {
            key,
            range: item.span,
            text,
            expression: Some(req),
            value: None,
        });
    }
    out
}

/// True when the selector misses the template `closest` narrowly: every label it fails, the
/// template has with a value close to the one asked (`orders` for `orders-api`, `Web` for
/// `web`). A template of another component (`guestbook` for `vtctld`) is no near miss: the
/// pods meant are most likely defined elsewhere.
pub fn near_miss(ws: &Workspace, selector: &crate::yaml::Node, closest: Option<usize>) -> bool {
    let Some(closest) = closest else {
        return false;
    };
    let labels: Labels = ws.templates[closest].label_pairs().into_iter().collect();
    requirements(selector)
        .iter()
        .filter(|r| !r.holds(&labels))
        .all(|r| {
            let Some(wanted) = r.value else {
                return false;
            };
            labels.get(r.key).is_some_and(|have| {
                similar(have, wanted)
                    || have.eq_ignore_ascii_case(wanted)
                    || crate::similarity::distance_within(have, wanted, 2).is_some()
            })
        })
}

/// Secondary labels for a selector that misses the pod template `closest`: that template's
/// labels, and each requirement of the selector (in `file`) it fails, with what it has.
pub fn closest_labels(
    ws: &Workspace,
    file: crate::diagnostic::FileId,
    selector: &crate::yaml::Node,
    closest: usize,
) -> Vec<crate::diagnostic::Related> {
    use crate::diagnostic::Related;
    let template = &ws.templates[closest];
    let object = ws.object_of(template);
    let labels: Labels = template.label_pairs().into_iter().collect();
    let mut out = vec![Related {
        file: object.file,
        range: template.labels.map_or(object.anchor_range(), |l| l.span),
        message: format!("the closest pod template, of {}", object.display()),
    }];
    out.extend(
        requirements(selector)
            .into_iter()
            .filter(|r| !r.holds(&labels))
            .map(|r| Related {
                file,
                range: r.range,
                message: match labels.get(r.key) {
                    Some(have) => format!(
                        "`{}` is not met: the closest template has {}={have}",
                        r.text, r.key
                    ),
                    None => format!(
                        "`{}` is not met: the closest template has no label {}",
                        r.text, r.key
                    ),
                },
            }),
    );
    out
}

/// Which pod templates of the set a selector picks, among those that can share the
/// selecting object's namespace, and the closest one when it picks none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Templates (indexes into [`Workspace::templates`]) that can share the namespace.
    pub candidates: Vec<usize>,
    pub matched: Vec<usize>,
    /// When nothing matched: the template sharing the most of the selector's labels.
    pub closest: Option<usize>,
}

impl Workspace<'_> {
    /// The pod templates `selector` (of the object `near`) picks. The namespace rule is
    /// [`crate::model::K8sObject::may_share_namespace`]: an object without a namespace goes
    /// wherever it is applied, so it can meet any other.
    pub fn select(&self, selector: &LabelSelector, near: &crate::model::K8sObject) -> Selection {
        let matched = self.matched(selector, near);
        let candidates = self.templates_near(near).to_vec();
        let closest = if matched.is_empty() {
            closest_template(self, selector, &candidates)
        } else {
            None
        };
        Selection {
            candidates,
            matched,
            closest,
        }
    }

    /// [`Self::select`]'s matched templates alone, for rules that need no near miss.
    pub fn matched(&self, selector: &LabelSelector, near: &crate::model::K8sObject) -> Vec<usize> {
        let candidates = self.templates_near(near);
        // A template must hold every `matchLabels` pair: try only those holding the rarest.
        let rarest = selector
            .match_labels
            .iter()
            .flatten()
            .map(|(k, v)| self.templates_with_label(k, v))
            .min_by_key(|templates| templates.len());
        let matched: Vec<usize> = match rarest {
            Some(templates) => templates
                .iter()
                .copied()
                .filter(|&t| candidates.binary_search(&t).is_ok())
                .filter(|&t| selector_matches(selector, self.template_labels(t)))
                .collect(),
            None => candidates
                .iter()
                .copied()
                .filter(|&t| selector_matches(selector, self.template_labels(t)))
                .collect(),
        };
        matched
    }

    /// True when a custom resource that can share `near`'s namespace holds a `labels` map the
    /// selector matches: operators (Prometheus, Alertmanager, sandbox templates...) build
    /// pods from custom resources and copy labels from them.
    pub fn made_by_controller(
        &self,
        selector: &LabelSelector,
        near: &crate::model::K8sObject,
    ) -> bool {
        self.custom_resource_labels().iter().any(|(o, maps)| {
            self.objects[*o].may_share_namespace(near)
                && maps.iter().any(|labels| selector_matches(selector, labels))
        })
    }
}

/// Every `labels` mapping inside `node`, however deep (bounded).
pub fn label_maps(node: &crate::yaml::Node, depth: usize) -> Vec<Labels<'_>> {
    if depth > 12 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in node.entries() {
        if entry.key.as_str() == Some("labels") {
            out.push(
                entry
                    .value
                    .string_map()
                    .into_iter()
                    .map(|(k, v, _)| (k, v))
                    .collect(),
            );
        } else {
            out.extend(label_maps(&entry.value, depth + 1));
        }
    }
    for item in node.items() {
        out.extend(label_maps(item, depth + 1));
    }
    out
}

/// The template sharing the most of the selector's labels (same value counts double).
pub fn closest_template(
    ws: &Workspace,
    selector: &LabelSelector,
    candidates: &[usize],
) -> Option<usize> {
    let wanted = selector.match_labels.clone().unwrap_or_default();
    // Only a template whose value for some key is the same or similar can score 2: gather
    // those from the label index instead of scoring every template of the namespace.
    let mut near: Vec<usize> = wanted
        .iter()
        .filter_map(|(k, v)| Some((ws.label_values(k)?, v)))
        .flat_map(|(values, v)| {
            values
                .iter()
                .filter(move |(have, _)| *have == v || similar(have, v))
                .flat_map(|(_, templates)| templates.iter().copied())
        })
        .filter(|t| candidates.binary_search(t).is_ok())
        .collect();
    near.sort_unstable();
    near.dedup();
    near.iter()
        .map(|&t| {
            let labels = ws.template_labels(t);
            let score: usize = wanted
                .iter()
                .map(|(k, v)| match labels.get(k.as_str()) {
                    Some(have) if have == v => 3,
                    Some(have) if similar(have, v) => 2,
                    Some(_) => 1,
                    None => 0,
                })
                .sum();
            (score, t)
        })
        // A shared key with an unrelated value (app=foo vs app=bar) is no evidence.
        .filter(|(score, _)| *score >= 2)
        .max_by_key(|(score, t)| (*score, std::cmp::Reverse(*t)))
        .map(|(_, t)| t)
}

/// Values that share a word: `binance-extractor` and `binance-data-extractor`.
pub fn similar(a: &str, b: &str) -> bool {
    fn words(s: &str) -> std::str::Split<'_, [char; 3]> {
        s.split(['-', '_', '.'])
    }
    words(a).any(|w| w.len() > 2 && words(b).any(|x| x == w))
}

pub fn describe_selector(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.extend(selector.match_expressions.iter().flatten().map(|r| {
        let values = r.values.as_deref().unwrap_or_default().join(",");
        match r.operator.as_str() {
            "Exists" => r.key.clone(),
            "DoesNotExist" => format!("!{}", r.key),
            op => format!("{} {} ({values})", r.key, op.to_lowercase()),
        }
    }));
    if selector
        .match_expressions
        .as_ref()
        .is_none_or(Vec::is_empty)
    {
        format!("labels {}", parts.join(","))
    } else {
        format!("labels matching {}", parts.join(","))
    }
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

    #[test]
    fn the_set_answers_which_templates_a_selector_picks() {
        use crate::model::{Parsed, Workspace};
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: shop-api}}\n  template:\n    metadata: {labels: {app: shop-api}}\n    spec: {containers: [{name: api, image: api:1}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other, namespace: billing}\nspec:\n  selector: {matchLabels: {app: shop-api}}\n  template:\n    metadata: {labels: {app: shop-api}}\n    spec: {containers: [{name: api, image: api:1}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec: {selector: {app: shop-apis}}\n";
        let files = [crate::SourceFile::new("x.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let service = &ws.objects[2];
        let exact = LabelSelector {
            match_labels: Some([("app".to_string(), "shop-api".to_string())].into()),
            match_expressions: None,
        };
        let picked = ws.select(&exact, service);
        assert_eq!(picked.candidates, [0], "only the shop namespace's template");
        assert_eq!(picked.matched, [0]);
        let typo = LabelSelector {
            match_labels: Some([("app".to_string(), "shop-apis".to_string())].into()),
            match_expressions: None,
        };
        let missed = ws.select(&typo, service);
        assert!(missed.matched.is_empty());
        assert_eq!(missed.closest, Some(0));
    }

    #[test]
    fn requirements_keep_their_bytes_and_say_which_fail() {
        let text = "matchLabels:\n  app: web\n  tier: front\nmatchExpressions:\n  - {key: env, operator: In, values: [prod, staging]}\n";
        let documents = crate::yaml::parse_region(text, crate::text::TextRange::new(0, text.len()));
        let node = documents[0].root.as_ref().unwrap();
        let reqs = requirements(node);
        assert_eq!(reqs.len(), 3);
        assert_eq!(&text[reqs[0].range.start..reqs[0].range.end], "app: web");
        assert_eq!(reqs[2].text, "env in (prod,staging)");
        let labels: Labels = [("app", "web"), ("tier", "back"), ("env", "prod")].into();
        let failing: Vec<&str> = reqs
            .iter()
            .filter(|r| !r.holds(&labels))
            .map(|r| r.key)
            .collect();
        assert_eq!(failing, ["tier"]);
    }

    #[test]
    fn an_object_without_a_namespace_goes_where_its_input_goes() {
        use crate::model::{Parsed, Workspace};
        let shop = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: api:1}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}}\n";
        let billing = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: billing}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: api:1}]}\n";
        let files = [
            crate::SourceFile::new("shop.yaml", shop),
            crate::SourceFile::new("billing.yaml", billing),
        ];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let service = &ws.objects[1];
        assert_eq!(service.effective_namespace(), Some("shop"));
        let selector = LabelSelector {
            match_labels: Some([("app".to_string(), "api".to_string())].into()),
            match_expressions: None,
        };
        assert_eq!(ws.select(&selector, service).matched, [0]);
    }
}
