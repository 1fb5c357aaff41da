using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Configuration;
using McpGateway.Hosting.Authentication;
using McpGateway.Hosting;
using McpGateway.Runtime;
using McpGateway.Storage;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// A complete gateway set-up on disk: configuration, policy bundle, data folder, a service token in
/// a file, and a real loopback HTTP service as the <c>loopback</c> target. Keys are issued on the
/// real store that the gateway process then uses: the SQLite file in the data folder, or the
/// PostgreSQL database after <see cref="UsePostgresStore"/>.
/// </summary>
internal sealed class GatewayEnvironment : IAsyncDisposable
{
    public const string ServiceToken = "svc-tok-8c1f5e9a2b7d4e60";

    /// <summary><c>McpGateway:Store</c> and <c>McpGateway:Audit</c> for the PostgreSQL store, kept by every later <see cref="WriteConfiguration"/>; null on the embedded store.</summary>
    private (JsonObject Store, JsonObject Audit)? _postgres;

    private GatewayEnvironment(string root, LoopbackService service)
    {
        Root = root;
        Service = service;
    }

    public string Root { get; }

    public LoopbackService Service { get; }

    public string ConfigPath => Path.Combine(Root, "gateway.json");

    public string DataDirectory => Path.Combine(Root, "data");

    public string PoliciesPath => Path.Combine(Root, "policies");

    public static async Task<GatewayEnvironment> CreateAsync(bool anonymous = false)
    {
        var root = Directory.CreateTempSubdirectory("mcpgw-e2e-").FullName;
        var service = await LoopbackService.StartAsync();
        var environment = new GatewayEnvironment(root, service);
        Directory.CreateDirectory(environment.PoliciesPath);
        File.WriteAllText(Path.Combine(root, "service.token"), ServiceToken);
        File.WriteAllText(Path.Combine(environment.PoliciesPath, "gateway.yaml"), Policies);
        environment.WriteConfiguration(anonymous);
        return environment;
    }

    public void WriteConfiguration(bool anonymous, string? extraService = null, JsonObject? http = null, JsonObject? timings = null, JsonObject? approvals = null, string? serviceUrl = null, JsonObject? ssh = null)
    {
        var services = new JsonObject
        {
            ["loopback"] = new JsonObject { ["BaseUrl"] = serviceUrl ?? Service.BaseUrl.ToString(), ["Auth"] = new JsonObject { ["Bearer"] = "{file:service.token}" } },
        };
        if (extraService is not null)
        {
            services[extraService] = new JsonObject { ["BaseUrl"] = Service.BaseUrl.ToString() };
        }

        var config = new JsonObject
        {
            ["McpGateway"] = new JsonObject
            {
                [nameof(DataDirectory)] = "data",
                ["Policies"] = "policies",
                ["Groups"] = new JsonObject { ["agents"] = new JsonObject(), ["approvers"] = new JsonObject() },
                ["Identities"] = new JsonObject
                {
                    ["test-agent"] = new JsonObject { ["Groups"] = new JsonArray("agents"), ["Roles"] = new JsonArray("agent"), ["Owner"] = "agent-owner" },
                    ["limited-agent"] = new JsonObject { ["Groups"] = new JsonArray("agents"), ["Roles"] = new JsonArray("agent") },
                    ["outsider"] = new JsonObject { ["Groups"] = new JsonArray(), ["Roles"] = new JsonArray("agent") },
                    ["anon"] = new JsonObject { ["Groups"] = new JsonArray(), ["Roles"] = new JsonArray("agent") },
                    ["approver"] = new JsonObject { ["Groups"] = new JsonArray("approvers"), ["Roles"] = new JsonArray("operator") },
                    ["approver2"] = new JsonObject { ["Groups"] = new JsonArray("approvers"), ["Roles"] = new JsonArray("operator") },
                    ["approver3"] = new JsonObject { ["Groups"] = new JsonArray("approvers"), ["Roles"] = new JsonArray("operator") },
                    ["outside-operator"] = new JsonObject { ["Groups"] = new JsonArray(), ["Roles"] = new JsonArray("operator") },
                    ["agent-owner"] = new JsonObject { ["Groups"] = new JsonArray("approvers"), ["Roles"] = new JsonArray("operator") },
                    ["approving-agent"] = new JsonObject { ["Groups"] = new JsonArray("agents", "approvers"), ["Roles"] = new JsonArray("agent") },
                    ["auditor"] = new JsonObject { ["Groups"] = new JsonArray(), ["Roles"] = new JsonArray("auditor") },
                },
                ["Targets"] = ssh is null ? new JsonObject { ["Http"] = services } : new JsonObject { ["Http"] = services, ["Ssh"] = ssh },
                ["Anonymous"] = new JsonObject { ["Enabled"] = anonymous, ["Identity"] = anonymous ? "anon" : null },
                ["Http"] = http ?? new JsonObject(),
                ["Timings"] = timings ?? new JsonObject(),
                ["Approvals"] = approvals ?? new JsonObject(),
            },
        };
        AddStore(config);
        File.WriteAllText(ConfigPath, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Moves the gateway onto the PostgreSQL store at <paramref name="connectionString"/> (an Npgsql
    /// connection string, written to <c>pg.conn</c> and referenced as a secret), with what that
    /// store requires beside it: a checkpoint signing key and a request-hash key in files, the same
    /// for every process started on this configuration. Later <see cref="WriteConfiguration"/>
    /// calls keep them.
    /// </summary>
    public void UsePostgresStore(string connectionString)
    {
        File.WriteAllText(Path.Combine(Root, "pg.conn"), connectionString);
        using (var signing = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(Path.Combine(Root, "signing.pem"), signing.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(Path.Combine(Root, "request.key"), Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        _postgres = (
            new JsonObject { ["Kind"] = "Postgres", ["ConnectionString"] = "{file:pg.conn}" },
            new JsonObject { ["SigningKey"] = "{file:signing.pem}", ["RequestHashKey"] = "{file:request.key}" });
        var config = JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();
        AddStore(config);
        File.WriteAllText(ConfigPath, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Issues a key on the gateway's store, as <c>keys create</c> would.</summary>
    public async Task<string> CreateKeyAsync(string identity, DateTimeOffset? expires = null)
    {
        var (keys, store) = await OpenKeysAsync();
        await using (store)
        {
            return (await keys.CreateAsync(identity, expires, "e2e", CancellationToken.None)).Key;
        }
    }

    /// <summary>The policy bundle's file, to change it under a running gateway.</summary>
    public string PolicyFile => Path.Combine(PoliciesPath, "gateway.yaml");

    public async Task RevokeKeyAsync(string key)
    {
        var (keys, store) = await OpenKeysAsync();
        await using (store)
        {
            await keys.RevokeAsync(key, CancellationToken.None);
        }
    }

    /// <summary>Every entry of the gateway's audit chain, oldest first, from the store its configuration names.</summary>
    public async Task<List<AuditEntry>> AuditEntriesAsync()
    {
        var store = await GatewayStores.OpenAsync(ConfigurationLoader.Load(ConfigPath), TimeProvider.System, CancellationToken.None);
        await using (store)
        {
            return await store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
    }

    private async Task<(ApiKeyService Keys, IGatewayStore Store)> OpenKeysAsync()
    {
        var configuration = ConfigurationLoader.Load(ConfigPath);
        var store = await GatewayStores.OpenAsync(configuration, TimeProvider.System, CancellationToken.None);
        var runtime = GatewayRuntime.Load(configuration, TimeProvider.System);
        return (new ApiKeyService(store, new AuditRecorder(store.Audit, runtime.Secrets), new RuntimeIdentityDirectory(runtime), TimeProvider.System), store);
    }

    private void AddStore(JsonObject config)
    {
        if (_postgres is { } postgres)
        {
            config["McpGateway"]!["Store"] = postgres.Store.DeepClone();
            config["McpGateway"]!["Audit"] = postgres.Audit.DeepClone();
        }
    }

    private const string Policies = """
        rules:
          - name: agent-reads-api
            when:
              identity: test-agent
              tool: http_call
              connection: loopback
              facts: { http.method: [GET, HEAD], http.path: { glob: "/api/**" } }
            effect: allow
            obligations: { maxResponseBytes: 4KiB, timeout: 2s }
          - name: limited-agent-reads
            when: { identity: limited-agent, tool: http_call, connection: loopback, facts: { http.method: GET, http.path: { glob: "/api/**" } } }
            effect: allow
            obligations: { rate: 3/m }
          - name: agent-writes-need-approval
            when:
              identity: test-agent
              tool: http_call
              connection: loopback
              facts: { http.method: [POST, PUT, PATCH], http.path: { glob: "/api/**" } }
            effect: approval
            reason: writes need a second pair of eyes
            approvers: { groups: [approvers] }
          - name: agent-deletes-need-two
            when: { identity: test-agent, tool: http_call, connection: loopback, facts: { http.method: DELETE, http.path: { glob: "/api/**" } } }
            effect: approval
            reason: deletes need two approvers
            approvers: { groups: [approvers], count: 2 }
          - name: admin-api-is-off-limits
            when: { tool: http_call, facts: { http.path: { glob: ["/api/admin", "/api/admin/**"] } } }
            effect: deny
            reason: the admin API is off limits
          - name: anonymous-reads
            when: { identity: anon, tool: http_call, connection: loopback, facts: { http.method: GET, http.path: { glob: "/api/**" } } }
            effect: allow
        """;
}
