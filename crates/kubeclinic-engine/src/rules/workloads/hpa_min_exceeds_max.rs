use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds HorizontalPodAutoscalers whose `minReplicas` is greater than their
    /// `maxReplicas`.
    ///
    /// ## Why is this bad?
    /// The API server refuses the autoscaler (`spec.maxReplicas: Invalid value: 2: must be
    /// greater than or equal to minReplicas`): the workload is not autoscaled at all, and
    /// `kubectl apply` of the whole set fails on it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: checkout
    ///   minReplicas: 10
    ///   maxReplicas: 4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: checkout
    ///   minReplicas: 4
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix swaps the two numbers, taking them as written the wrong way round;
    /// check the bounds are the ones you mean.
    pub struct HpaMinExceedsMax {
        id: "hpa-min-exceeds-max",
        category: Workloads,
        severity: Error,
        fix: Always,
        reads: Manifests,
    }
}

pub struct Inverted<'a> {
    hpa: usize,
    min: &'a Node,
    max: &'a Node,
    low: i64,
    high: i64,
}

impl Rule for HpaMinExceedsMax {
    type State<'a> = Inverted<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Inverted<'a>> {
        ws.autoscalers()
            .iter()
            .filter_map(|a| {
                let (min, max) = (a.min?, a.max?);
                let (high, low) = (min.as_i64()?, max.as_i64()?);
                (high > low).then_some(Inverted {
                    hpa: a.index,
                    min,
                    max,
                    low,
                    high,
                })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, i: &Inverted<'a>) -> Diagnostic {
        let hpa = &ws.objects[i.hpa];
        Diagnostic {
            file: hpa.file,
            range: i.min.span,
            message: format!(
                "{} has minReplicas {} above its maxReplicas {}",
                hpa.display(),
                i.high,
                i.low
            ),
            why: format!("The API server refuses the autoscaler (`maxReplicas: Invalid value: {}: must be greater than or equal to minReplicas`): the workload is not autoscaled.", i.low),
            help: Some("Make `minReplicas` the fewest replicas to keep and `maxReplicas` the most to allow.".into()),
            object: Some(hpa.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, i: &Inverted<'a>) -> Vec<Related> {
        vec![Related {
            file: ws.objects[i.hpa].file,
            range: i.max.span,
            message: format!("maxReplicas {}", i.low),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, i: &Inverted<'a>) -> Option<Fix> {
        let file = ws.objects[i.hpa].file;
        Some(Fix::new(
            format!("Swap them: minReplicas {}, maxReplicas {}", i.low, i.high),
            Applicability::Unsafe,
            vec![
                Edit::replace(file, i.min.span, i.low.to_string()),
                Edit::replace(file, i.max.span, i.high.to_string()),
            ],
        ))
    }
}
