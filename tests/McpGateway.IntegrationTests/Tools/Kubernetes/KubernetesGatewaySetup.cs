using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.IntegrationTests.Tools.Kubernetes;

/// <summary>
/// A gateway set-up on disk for kubectl_apply: the reference bundle's rules for cluster
/// <c>prod</c> (copied from samples/) beside rules made for tests, and clusters pointing at the
/// loopback stand-in — <c>prod</c> as it should be, <c>wrong-ca</c> trusting another authority,
/// <c>wrong-token</c> with a token the stand-in refuses, <c>down</c> where nothing listens.
/// </summary>
internal sealed class KubernetesGatewaySetup : IAsyncDisposable
{
    public const string ClusterToken = "kube-token-3f9a1c7e5b2d4086";
    public const string WrongToken = "kube-token-wrong-0000000000";

    private KubernetesGatewaySetup(GatewayEnvironment environment, KubeApiStandIn standIn)
    {
        Environment = environment;
        StandIn = standIn;
    }

    public GatewayEnvironment Environment { get; }

    public KubeApiStandIn StandIn { get; }

    public string TokenFile => Path.Combine(Environment.Root, "kube.token");

    public static async Task<KubernetesGatewaySetup> CreateAsync()
    {
        var environment = await GatewayEnvironment.CreateAsync();
        var standIn = await KubeApiStandIn.StartAsync(ClusterToken);
        var setup = new KubernetesGatewaySetup(environment, standIn);
        File.WriteAllText(setup.TokenFile, ClusterToken);
        File.WriteAllText(Path.Combine(environment.Root, "wrong.token"), WrongToken);
        File.WriteAllText(Path.Combine(environment.Root, "kube-ca.pem"), standIn.Certificates.AuthorityPem);
        using (var other = StandInCertificates.Create("another CA"))
        {
            File.WriteAllText(Path.Combine(environment.Root, "other-ca.pem"), other.AuthorityPem);
            var (foreignCertificate, foreignKey) = other.IssueClient("deployer-bot");
            File.WriteAllText(Path.Combine(environment.Root, "foreign-client.pem"), foreignCertificate);
            File.WriteAllText(Path.Combine(environment.Root, "foreign-client.key"), foreignKey);
        }

        var (certificate, key) = standIn.Certificates.IssueClient("deployer-bot");
        File.WriteAllText(Path.Combine(environment.Root, "client.pem"), certificate);
        File.WriteAllText(Path.Combine(environment.Root, "client.key"), key);
        File.WriteAllText(Path.Combine(environment.Root, "kubeconfig.yaml"), $$"""
            apiVersion: v1
            kind: Config
            current-context: stand-in
            clusters:
              - name: stand-in
                cluster:
                  server: {{standIn.BaseUrl}}
                  certificate-authority-data: {{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(standIn.Certificates.AuthorityPem))}}
            users:
              - name: bot
                user:
                  client-certificate-data: {{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(certificate))}}
                  client-key-data: {{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key))}}
              - name: token-user
                user:
                  token: {{ClusterToken}}
            contexts:
              - name: stand-in
                context: { cluster: stand-in, user: bot, namespace: apps }
              - name: by-token
                context: { cluster: stand-in, user: token-user, namespace: apps }
            """);

        File.Copy(Path.Combine(GatewayProcess.RepositoryRoot, "samples", "policies", "reference", "clusters.yaml"), Path.Combine(environment.PoliciesPath, "clusters.yaml"));
        File.WriteAllText(Path.Combine(environment.PoliciesPath, "kube-tests.yaml"), TestRules);
        setup.WriteConfiguration();
        return setup;
    }

    public void WriteConfiguration()
    {
        JsonObject Cluster(string server, string ca, string token) => new()
        {
            ["Server"] = server,
            ["CertificateAuthority"] = ca,
            ["Token"] = $"{{file:{token}}}",
            ["DefaultNamespace"] = "apps",
        };

        var clusters = new JsonObject
        {
            ["prod"] = Cluster(StandIn.BaseUrl.ToString(), "kube-ca.pem", "kube.token"),
            ["wrong-ca"] = Cluster(StandIn.BaseUrl.ToString(), "other-ca.pem", "kube.token"),
            ["wrong-token"] = Cluster(StandIn.BaseUrl.ToString(), "kube-ca.pem", "wrong.token"),
            ["down"] = Cluster($"https://127.0.0.1:{ClosedPort()}/", "kube-ca.pem", "kube.token"),
            ["by-certificate"] = Certified("client.pem", "client.key"),
            ["foreign-certificate"] = Certified("foreign-client.pem", "foreign-client.key"),
            ["by-kubeconfig"] = new JsonObject { ["Kubeconfig"] = "{file:kubeconfig.yaml}", ["DefaultNamespace"] = "apps" },
            ["by-kubeconfig-token"] = new JsonObject { ["Kubeconfig"] = "{file:kubeconfig.yaml}", ["Context"] = "by-token", ["DefaultNamespace"] = "apps" },
        };

        JsonObject Certified(string certificate, string key) => new()
        {
            ["Server"] = StandIn.BaseUrl.ToString(),
            ["CertificateAuthority"] = "kube-ca.pem",
            ["ClientCertificate"] = $"{{file:{certificate}}}",
            ["ClientKey"] = $"{{file:{key}}}",
            ["DefaultNamespace"] = "apps",
        };
        var identities = new JsonObject
        {
            ["deployer"] = Identity("deployers", "agent"),
            ["lax"] = Identity("testers", "agent"),
            ["platform-lead"] = Identity("platform-leads", "operator"),
        };
        var config = new JsonObject
        {
            ["McpGateway"] = new JsonObject
            {
                ["DataDirectory"] = "data",
                ["Policies"] = "policies",
                ["Groups"] = new JsonObject { ["deployers"] = new JsonObject(), ["testers"] = new JsonObject(), ["platform-leads"] = new JsonObject() },
                ["Identities"] = identities,
                ["Targets"] = new JsonObject { ["Kubernetes"] = clusters },
                ["Timings"] = new JsonObject { ["ApprovalPoll"] = "100ms", ["ReloadPoll"] = "200ms" },
                ["Approvals"] = new JsonObject { ["Wait"] = "20s", ["WaitWithoutProgress"] = "500ms" },
            },
        };
        File.WriteAllText(Environment.ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Delete(Environment.PolicyFile);
    }

    public Task<InMemoryGateway> StartAsync(string identity) => InMemoryGateway.StartAsync(Environment, identity);

    /// <summary>Every audit entry, header and payload, as one text (to look for what must not be there).</summary>
    public async Task<string> AuditTextAsync()
    {
        var entries = await Environment.AuditEntriesAsync();
        return string.Join('\n', entries.Select(e => JsonSerializer.Serialize(e)));
    }

    public async ValueTask DisposeAsync()
    {
        await StandIn.DisposeAsync();
        await Environment.DisposeAsync();
    }

    private static JsonObject Identity(string group, string role) => new() { ["Groups"] = new JsonArray(group), ["Roles"] = new JsonArray(role) };

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Made for tests: 'lax' applies any fully understood manifest on any cluster (the reference denies still hold).</summary>
    private const string TestRules = """
        rules:
          - name: lax-applies-what-is-understood
            when: { identity: lax, tool: kubectl_apply }
            effect: allow
        """;
}

/// <summary>Calling kubectl_apply through a real MCP client.</summary>
internal static class KubectlApplyCalls
{
    public static async Task<CallToolResult> ApplyAsync(this McpClient client, string manifest, string cluster = "prod") =>
        await client.CallToolAsync("kubectl_apply", new Dictionary<string, object?> { ["cluster"] = cluster, ["manifest"] = manifest });

    /// <summary>The structured result, also of a call that failed part-way (isError with the per-object outcome).</summary>
    public static JsonElement Result(this CallToolResult result) =>
        result.StructuredContent ?? throw new InvalidOperationException("No structured result: " + result.Text());

    /// <summary>Each object's action, as "Kind name: action".</summary>
    public static IEnumerable<string> Actions(this CallToolResult result) =>
        result.Result().GetProperty("objects").EnumerateArray().Select(o => $"{o.GetProperty("kind").GetString()} {o.GetProperty("name").GetString()}: {o.GetProperty("action").GetString()}");
}
