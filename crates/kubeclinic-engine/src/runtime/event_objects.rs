//! Event objects, as `kubectl get events -o yaml|json` prints them (alone, in a `List`, or
//! one by one through `jq '.items[]'`): the same evidence as an event row.

use k8s_openapi::api::core::v1::Event as CoreEvent;
use k8s_openapi::api::events::v1::Event as EventsEvent;

use super::events::Event;
use crate::yaml::{self, Node};

/// The event an object of kind `Event` records, pointing at its message. `None` for any
/// other object, or an Event without a reason or a message.
pub fn read(node: &Node) -> Option<Event> {
    if node.get("kind").and_then(Node::as_str) != Some("Event") {
        return None;
    }
    let api_version = node
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or("v1");
    let (message_key, event) = if api_version.starts_with("events.k8s.io/") {
        (
            "note",
            from_events_api(yaml::typed::<EventsEvent>(node).ok()?)?,
        )
    } else {
        ("message", from_core(yaml::typed::<CoreEvent>(node).ok()?)?)
    };
    let line = node
        .get(message_key)
        .or_else(|| node.get("reason"))
        .map_or(node.span, |n| n.span);
    Some(Event { line, ..event })
}

fn from_core(e: CoreEvent) -> Option<Event> {
    let object = &e.involved_object;
    let source = e.source.unwrap_or_default();
    let from = match (source.component, source.host) {
        (Some(c), Some(h)) => format!("{c}, {h}"),
        (Some(c), None) => c,
        (None, _) => e.reporting_component.unwrap_or_default(),
    };
    Some(Event {
        kind: e.type_.unwrap_or_else(|| "Normal".into()),
        reason: e.reason?,
        age: e
            .last_timestamp
            .map(|t| t.0.to_string())
            .unwrap_or_default(),
        from,
        message: e.message?,
        count: e.count.map_or(1, |c| c.max(1) as u32),
        object: object_ref(object.kind.as_deref(), object.name.as_deref()),
        namespace: object.namespace.clone().or(e.metadata.namespace),
        line: Default::default(),
    })
}

fn from_events_api(e: EventsEvent) -> Option<Event> {
    let regarding = e.regarding.unwrap_or_default();
    let count = e
        .series
        .map(|s| s.count)
        .or(e.deprecated_count)
        .map_or(1, |c| c.max(1) as u32);
    Some(Event {
        kind: e.type_.unwrap_or_else(|| "Normal".into()),
        reason: e.reason?,
        age: String::new(),
        from: e.reporting_controller.unwrap_or_default(),
        message: e.note?,
        count,
        object: object_ref(regarding.kind.as_deref(), regarding.name.as_deref()),
        namespace: regarding.namespace.or(e.metadata.namespace),
        line: Default::default(),
    })
}

/// `pod/web-1`, as `kubectl get events` names the object.
fn object_ref(kind: Option<&str>, name: Option<&str>) -> Option<String> {
    let name = name?;
    Some(match kind {
        Some(kind) => format!("{}/{name}", kind.to_ascii_lowercase()),
        None => name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<Event> {
        let documents = yaml::parse_region(text, crate::text::TextRange::new(0, text.len()));
        read(documents[0].root.as_ref()?)
    }

    #[test]
    fn a_core_event_is_an_event_row() {
        let text = "apiVersion: v1\nkind: Event\nmetadata:\n  name: web-1.17f\n  namespace: shop\ninvolvedObject:\n  kind: Pod\n  name: web-1\n  namespace: shop\nreason: Failed\ntype: Warning\ncount: 4\nsource:\n  component: kubelet\n  host: node-2\nmessage: 'Failed to pull image \"web:1\": not found'\n";
        let event = first(text).unwrap();
        assert_eq!(event.reason, "Failed");
        assert!(event.is_warning());
        assert_eq!(event.count, 4);
        assert_eq!(event.object.as_deref(), Some("pod/web-1"));
        assert_eq!(event.namespace.as_deref(), Some("shop"));
        assert_eq!(event.from, "kubelet, node-2");
        assert!(text[event.line.start..event.line.end].contains("Failed to pull"));
    }

    #[test]
    fn an_events_api_event_reads_its_note() {
        let text = "{\"apiVersion\": \"events.k8s.io/v1\", \"kind\": \"Event\", \"metadata\": {\"name\": \"x\"}, \"eventTime\": null, \"regarding\": {\"kind\": \"Pod\", \"name\": \"db-0\"}, \"reason\": \"FailedScheduling\", \"type\": \"Warning\", \"reportingController\": \"default-scheduler\", \"note\": \"0/3 nodes are available: 3 Insufficient memory.\"}";
        let event = first(text).unwrap();
        assert_eq!(event.reason, "FailedScheduling");
        assert_eq!(event.object.as_deref(), Some("pod/db-0"));
        assert_eq!(
            event.message,
            "0/3 nodes are available: 3 Insufficient memory."
        );
    }

    #[test]
    fn other_objects_and_empty_events_are_not_events() {
        assert!(first("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n").is_none());
        assert!(
            first("apiVersion: v1\nkind: Event\nmetadata:\n  name: a\ninvolvedObject: {}\n")
                .is_none()
        );
    }
}
