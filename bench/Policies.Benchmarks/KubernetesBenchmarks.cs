using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Benchmarks;

/// <summary>
/// One kubectl_apply call: classification of a typical release (Deployment, Service, ConfigMap,
/// Ingress) as YAML and as JSON, of a List of 100 Deployments, and classification plus decision
/// against the reference bundle.
/// </summary>
[MemoryDiagnoser]
public class KubernetesBenchmarks
{
    private const string Bundle = """
        rules:
          - name: deployer-workloads
            when:
              groups: [deployers]
              tool: kubectl_apply
              connection: prod
              facts:
                k8s.objects.kind: [Deployment, StatefulSet, DaemonSet, Job, CronJob, Service, ConfigMap, Ingress]
                k8s.objects.namespace: apps
                k8s.objects.podSecurityLevel: restricted
            effect: allow
          - name: deployer-secrets
            when: { groups: [deployers], tool: kubectl_apply, connection: prod, facts: { k8s.objects.kind: Secret, k8s.objects.namespace: apps } }
            effect: approval
            approvers: { groups: [platform-leads] }
          - name: no-cluster-scoped
            when: { tool: kubectl_apply, facts: { k8s.clusterScoped: true } }
            effect: deny
          - name: no-rbac-escalation
            when: { tool: kubectl_apply, facts: { k8s.rbacEscalation: { glob: "*" } } }
            effect: deny
          - name: no-pod-security-violations
            when: { tool: kubectl_apply, facts: { k8s.podSecurityLevel: [privileged, baseline] } }
            effect: deny
        """;

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: { app: web, tier: frontend }
        spec:
          replicas: 3
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web }
            spec:
              serviceAccountName: web
              securityContext:
                runAsNonRoot: true
                seccompProfile: { type: RuntimeDefault }
              initContainers:
                - name: migrate
                  image: registry.example.com/web-migrate:1.4.2
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
                  ports: [{ containerPort: 8080, name: http }]
                  env:
                    - { name: LOG_LEVEL, value: info }
                    - { name: DB_HOST, valueFrom: { configMapKeyRef: { name: web-settings, key: db_host } } }
                  resources:
                    requests: { cpu: 250m, memory: 256Mi }
                    limits: { memory: 512Mi }
                  readinessProbe: { httpGet: { path: /healthz, port: http }, periodSeconds: 5 }
                  securityContext:
                    allowPrivilegeEscalation: false
                    readOnlyRootFilesystem: true
                    capabilities: { drop: [ALL] }
                  volumeMounts: [{ name: tmp, mountPath: /tmp }]
              volumes:
                - { name: tmp, emptyDir: {} }
        """;

    private const string Release = Deployment + """

        ---
        apiVersion: v1
        kind: Service
        metadata: { name: web }
        spec:
          selector: { app: web }
          ports: [{ port: 80, targetPort: http }]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: web-settings }
        data: { db_host: db.apps.svc, feature_flags: "a,b,c", mode: "on" }
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: { name: web }
        spec:
          rules:
            - host: web.example.com
              http:
                paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }]
        """;

    private JsonDocument _yaml = null!;
    private JsonDocument _json = null!;
    private JsonDocument _list = null!;
    private PolicyEnvironment _environment = null!;
    private IToolClassifier _classifier = null!;
    private PolicyEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _environment = new PolicyEnvironment(
            [IdentityInfo.Create("deployer", ["deployers"], [Roles.Agent]), IdentityInfo.Create("lead", ["platform-leads"], [Roles.Operator])],
            ["deployers", "platform-leads"],
            [new KubernetesTargetInfo("prod", "apps", KubernetesDiscovery.Empty)],
            ["default"]);
        var catalog = new ToolCatalog([KubectlApplyTool.Create()]);
        _classifier = catalog.Find(KubectlApplyTool.Name)!.Classifier;
        var bundle = new PolicyBundleLoader(catalog, _environment).Load([new PolicySource("k8s.yaml", Encoding.UTF8.GetBytes(Bundle))]);
        _engine = new PolicyEngine(new PolicySnapshot(bundle, _environment, catalog));

        _yaml = Call(Release);
        var objects = ((McpGateway.Policies.Classifiers.Kubernetes.KubectlApplyRequest)_classifier.Classify(_yaml.RootElement, _environment).Request!).Objects;
        _json = Call(string.Join("\n", objects.Select(o => o.ToJsonString())));
        var one = objects[0].ToJsonObject();
        var items = new JsonArray();
        for (var i = 0; i < 100; i++)
        {
            var item = one.DeepClone().AsObject();
            item["metadata"]!["name"] = $"web-{i}";
            items.Add(item);
        }

        _list = Call(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = items }.ToJsonString());
    }

    [Benchmark(Baseline = true)]
    public object Classify_release_yaml() => _classifier.Classify(_yaml.RootElement, _environment);

    [Benchmark]
    public object Classify_release_json() => _classifier.Classify(_json.RootElement, _environment);

    [Benchmark]
    public object Classify_list_of_100_deployments() => _classifier.Classify(_list.RootElement, _environment);

    /// <summary>YamlDotNet's parser alone over the release: the floor under YAML classification.</summary>
    [Benchmark]
    public int Parse_release_yaml_events_only()
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(Release));
        var events = 0;
        while (parser.MoveNext())
        {
            events++;
        }

        return events;
    }

    [Benchmark]
    public object Read_release_yaml() => ManifestReader.Read(Release, ManifestLimits.Default);

    [Benchmark]
    public object Decide_release_yaml() => _engine.Evaluate("deployer", KubectlApplyTool.Name, _yaml.RootElement);

    private static JsonDocument Call(string manifest) =>
        JsonDocument.Parse(new JsonObject { ["cluster"] = "prod", ["manifest"] = manifest }.ToJsonString());
}
