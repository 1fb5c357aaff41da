namespace McpGateway.IntegrationTests.Tools.Kubernetes;

/// <summary>Manifests the kubectl_apply tests apply.</summary>
internal static class Manifests
{
    public static string Settings(string mode) => Map("settings", mode);

    public static string Map(string name, string mode = "fast") => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata: {"{"} name: {name} {"}"}
        data: {"{"} mode: {mode} {"}"}

        """;

    /// <summary>A Deployment whose pod passes the restricted Pod Security profile; without a selector the server finds it invalid.</summary>
    public static string Deployment(string name, bool selector = true) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: {{name}} }
        spec:
          {{(selector ? $"selector: {{ matchLabels: {{ app: {name} }} }}" : "replicas: 1")}}
          template:
            metadata: { labels: { app: {{name}} } }
            spec:
              securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
              containers:
                - name: app
                  image: registry.example.com/{{name}}:1
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }

        """;

    public static string Secret(string name, string plain, string encoded) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
        type: Opaque
        stringData:
          plain: "{plain}"
        data:
          encoded: "{encoded}"

        """;
}
