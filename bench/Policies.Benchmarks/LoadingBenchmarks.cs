using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Benchmarks;

/// <summary>
/// Loading and validating a bundle of glob rules, as a hot reload does while the gateway serves:
/// the goal is 5,000 rules in well under a second.
/// </summary>
[MemoryDiagnoser]
public class LoadingBenchmarks
{
    private PolicyBundleLoader _loader = null!;
    private PolicySource[] _bundle = null!;

    [Params(500, 5_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var environment = new PolicyEnvironment(
            [IdentityInfo.Create("billing-agent", ["agents"], [Roles.Agent])],
            ["agents"],
            [new HttpTargetInfo("billing", FrozenSet<string>.Empty)],
            ["default"]);
        _loader = new PolicyBundleLoader(new ToolCatalog([HttpCallTool.Create()]), environment);
        var text = new StringBuilder("rules:\n");
        for (var i = 0; i < Rules; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - name: r{i}\n    when: {{ groups: [agents], tool: http_call, connection: billing, facts: {{ http.method: [GET, HEAD], http.path: {{ glob: \"/api/v{i}/**/items/*\" }} }} }}\n    effect: allow\n");
        }

        _bundle = [new PolicySource("bundle.yaml", Encoding.UTF8.GetBytes(text.ToString()))];
    }

    [Benchmark]
    public object Load_glob_rules() => _loader.Load(_bundle);
}
