using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Runtime;
using McpGateway.Tools.HttpCall;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Tests.Runtime;

/// <summary>
/// Per-target clients live in the runtime snapshot: kept across a reload while their target is
/// unchanged, rebuilt when it changes, and the old one closed only once no call uses it.
/// </summary>
public sealed class TargetClientsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-clients-").FullName;
    private readonly ProbeKind _kind = new();

    public TargetClientsTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "policies"));
        File.WriteAllText(Path.Combine(_folder, "policies", "rules.yaml"), """
            rules:
              - name: read-orders
                when: { tool: http_call, connection: orders, facts: { http.method: GET } }
                effect: allow
            """);
        File.WriteAllText(Path.Combine(_folder, "token"), "first-token-value-0123456789");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void An_unchanged_target_keeps_its_client_across_a_reload_and_a_changed_one_gets_a_new_one()
    {
        using var runtime = Load(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/");
        var billing = runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "billing")!;
        var orders = runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "orders")!;

        runtime.Install(Configuration(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:9999/")).Should().BeNull();

        runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "billing").Should().BeSameAs(billing, "billing did not change");
        runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "orders").Should().NotBeSameAs(orders, "orders now points elsewhere");
        billing.Disposed.Should().BeFalse();
        orders.Disposed.Should().BeTrue("no call held the replaced snapshot");
    }

    [Fact]
    public void A_replaced_client_stays_open_until_the_last_call_on_its_snapshot_ends()
    {
        using var runtime = Load(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/");
        var lease = runtime.Acquire();
        var orders = lease.Snapshot.Clients.Get<Probe>(TargetKinds.Http, "orders")!;

        runtime.Install(Configuration(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:9999/")).Should().BeNull();
        runtime.Install(Configuration(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:9998/")).Should().BeNull();

        orders.Disposed.Should().BeFalse("a call still runs on the snapshot that holds it");
        lease.Snapshot.Clients.Get<Probe>(TargetKinds.Http, "orders").Should().BeSameAs(orders, "the call keeps the client it started with");
        lease.Dispose();
        orders.Disposed.Should().BeTrue();
        lease.Dispose();
        _kind.Created.Count(p => p.Disposed).Should().Be(2, "the intermediate client closed when its snapshot was replaced; nothing is closed twice");
    }

    [Fact]
    public void A_changed_secret_rebuilds_the_client_even_when_the_configuration_text_is_the_same()
    {
        using var runtime = Load(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/");
        var billing = runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "billing")!;
        var orders = runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "orders")!;

        File.WriteAllText(Path.Combine(_folder, "token"), "second-token-value-0123456789");
        runtime.Install(Configuration(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/")).Should().BeNull();

        runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "billing").Should().NotBeSameAs(billing, "its token changed");
        runtime.Current.Clients.Get<Probe>(TargetKinds.Http, "orders").Should().BeSameAs(orders, "it has no secret and did not change");
        billing.Disposed.Should().BeTrue();
    }

    [Fact]
    public void A_reload_whose_client_cannot_be_built_keeps_the_last_snapshot_and_closes_what_it_built()
    {
        using var runtime = Load(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/");
        var before = runtime.Current;
        _kind.FailFor = "orders";

        var error = runtime.Install(Configuration(billingUrl: "http://127.0.0.1:7000/", ordersUrl: "http://127.0.0.1:7001/"));

        error.Should().Contain("cannot build");
        runtime.Current.Should().BeSameAs(before);
        _kind.Created.Where(p => p.Url.Port == 7000).Should().OnlyContain(p => p.Disposed, "the half-built set was let go of");
        before.Clients.Get<Probe>(TargetKinds.Http, "billing")!.Disposed.Should().BeFalse();
    }

    [Fact]
    public void Disposing_the_runtime_closes_the_clients_once_the_calls_end()
    {
        var runtime = Load(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/");
        var lease = runtime.Acquire();

        runtime.Dispose();
        runtime.Dispose();

        _kind.Created.Should().OnlyContain(p => !p.Disposed);
        lease.Dispose();
        _kind.Created.Should().HaveCount(2).And.OnlyContain(p => p.Disposed);
    }

    [Fact]
    public async Task Calls_racing_reloads_never_get_a_closed_client()
    {
        using var runtime = Load(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var closedSeen = 0;
        var calls = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var lease = runtime.Acquire();
                if (lease.Snapshot.Clients.Get<Probe>(TargetKinds.Http, "orders")!.Disposed)
                {
                    Interlocked.Increment(ref closedSeen);
                }
            }
        })).ToArray();

        var port = 9000;
        while (!stop.IsCancellationRequested)
        {
            runtime.Install(Configuration(billingUrl: "http://127.0.0.1:8081/", ordersUrl: $"http://127.0.0.1:{port++}/")).Should().BeNull();
        }

        await Task.WhenAll(calls);
        closedSeen.Should().Be(0);
        port.Should().BeGreaterThan(9010, "the test must have reloaded while calls ran");
    }

    [Fact]
    public void The_configuration_hash_changes_with_the_target_and_never_contains_a_secret_value()
    {
        var a = Configuration(billingUrl: "http://127.0.0.1:8081/", ordersUrl: "http://127.0.0.1:8082/");
        var b = Configuration(billingUrl: "http://127.0.0.1:8083/", ordersUrl: "http://127.0.0.1:8082/");

        var billingA = a.Target<HttpServiceOptions>(TargetKinds.Http, "billing")!;
        billingA.ConfigurationHash.Should().MatchRegex("^[0-9a-f]{64}$");
        billingA.ConfigurationHash.Should().NotBe(b.Target<HttpServiceOptions>(TargetKinds.Http, "billing")!.ConfigurationHash);
        a.Target<HttpServiceOptions>(TargetKinds.Http, "orders")!.ConfigurationHash.Should().Be(b.Target<HttpServiceOptions>(TargetKinds.Http, "orders")!.ConfigurationHash);
        billingA.DescribeConfiguration().ToJsonString().Should().NotContain("first-token-value").And.Contain("{file:");
    }

    private GatewayRuntime Load(string billingUrl, string ordersUrl) =>
        GatewayRuntime.Load(Configuration(billingUrl, ordersUrl), TimeProvider.System, new Dictionary<string, ITargetKind> { [TargetKinds.Http] = _kind });

    private GatewayConfiguration Configuration(string billingUrl, string ordersUrl)
    {
        var file = Path.Combine(_folder, "config.json");
        File.WriteAllText(file, $$"""
            { "McpGateway": { "Policies": "policies/", "DataDirectory": "data",
                "Targets": { "Http": {
                  "billing": { "BaseUrl": "{{billingUrl}}", "Auth": { "Bearer": "{file:token}" } },
                  "orders": { "BaseUrl": "{{ordersUrl}}" } } } } }
            """);
        return ConfigurationLoader.LoadFile(file);
    }

    private sealed class Probe(Uri url) : IDisposable
    {
        private int _disposals;

        public Uri Url { get; } = url;

        public bool Disposed => Volatile.Read(ref _disposals) > 0;

        public void Dispose()
        {
            if (Interlocked.Increment(ref _disposals) > 1)
            {
                throw new InvalidOperationException("disposed twice");
            }
        }
    }

    /// <summary>The HTTP target kind, with a client per service that records its own disposal.</summary>
    private sealed class ProbeKind : ITargetKind
    {
        private readonly HttpServiceReader _reader = new();

        public System.Collections.Concurrent.ConcurrentBag<Probe> Created { get; } = [];

        public string? FailFor { get; set; }

        public string Kind => TargetKinds.Http;

        public IEnumerable<ConfiguredTarget> Read(IConfigurationSection section, string baseDirectory, List<string> errors) => _reader.Read(section, baseDirectory, errors);

        public object? CreateClient(ConfiguredTarget target, HeldSecrets secrets)
        {
            if (target.Name == FailFor)
            {
                throw new InvalidOperationException($"cannot build a client for {target.Name}");
            }

            var probe = new Probe(((HttpServiceOptions)target).BaseUrl);
            Created.Add(probe);
            return probe;
        }
    }
}
