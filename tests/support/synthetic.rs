//! Synthetic sets for the benchmarks: many linked applications in one namespace.

/// `apps` applications of eight linked objects each, in one namespace.
pub fn application_set(apps: usize) -> String {
    let app = r#"---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-@
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: app-@}
  template:
    metadata:
      labels: {app: app-@, tier: web}
    spec:
      containers:
        - name: app
          image: ghcr.io/example/app-@:1.0.@
          ports:
            - {name: http, containerPort: 8080}
          env:
            - name: DB_HOST
              value: app-@-db
            - name: LOG_LEVEL
              valueFrom:
                configMapKeyRef: {name: app-@-config, key: log-level}
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: app-@-secret, key: password}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          readinessProbe:
            httpGet: {path: /ready, port: http}
          securityContext:
            allowPrivilegeEscalation: false
            runAsNonRoot: true
---
apiVersion: v1
kind: Service
metadata:
  name: app-@
  namespace: shop
spec:
  selector: {app: app-@}
  ports:
    - {name: http, port: 80, targetPort: http}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-@-config
  namespace: shop
data:
  log-level: info
---
apiVersion: v1
kind: Secret
metadata:
  name: app-@-secret
  namespace: shop
stringData:
  password: s3cr3t-@-value
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app-@
  namespace: shop
spec:
  ingressClassName: nginx
  rules:
    - host: app-@.example.org
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: app-@
                port: {name: http}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app-@
  namespace: shop
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-@}
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: app-@
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: app-@}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app-@
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: app-@}
  ingress:
    - from:
        - podSelector:
            matchLabels: {tier: web}
"#;
    (0..apps)
        .map(|i| app.replace('@', &i.to_string()))
        .collect()
}
