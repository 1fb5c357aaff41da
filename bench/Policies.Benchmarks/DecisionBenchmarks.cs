using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Benchmarks;

/// <summary>
/// The decision path of one http_call: classification alone, and classification plus decision
/// against the reference bundle and against a bundle of 500 rules.
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private JsonDocument _read = null!;
    private JsonDocument _tricky = null!;
    private PolicyEngine _reference = null!;
    private PolicyEngine _large = null!;
    private PolicyEnvironment _environment = null!;
    private IToolClassifier _classifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        var groups = new[] { "agents", "billing-admins" }.Concat(Enumerable.Range(0, 50).Select(i => $"team-{i}")).ToArray();
        _environment = new PolicyEnvironment(
            [IdentityInfo.Create("billing-agent", ["agents"], [Roles.Agent]), IdentityInfo.Create("billing-admin", ["billing-admins"], [Roles.Operator])],
            groups,
            [new HttpTargetInfo("billing", FrozenSet<string>.Empty)],
            ["default"]);
        var catalog = new ToolCatalog([HttpCallTool.Create()]);
        _classifier = catalog.Find(HttpCallTool.Name)!.Classifier;
        // The http_call part of the reference bundle: the catalog here holds only http_call.
        var reference = Path.Combine(FindRoot(), "samples", "policies", "reference", "billing.yaml");
        _reference = new PolicyEngine(new PolicySnapshot(new PolicyBundleLoader(catalog, _environment).Load(reference), _environment, catalog));

        var large = new StringBuilder("rules:\n");
        for (var i = 0; i < 500; i++)
        {
            large.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - name: r{i}\n    when: {{ groups: [team-{i % 50}], tool: http_call, facts: {{ http.method: [GET, POST], http.path: {{ glob: \"/t{i}/**\" }} }} }}\n    effect: allow\n");
        }

        large.Append("  - name: last\n    when: { groups: [agents], facts: { http.path: { glob: \"/api/**\" } } }\n    effect: allow\n");
        var bundle = new PolicyBundleLoader(catalog, _environment).Load([new PolicySource("large.yaml", Encoding.UTF8.GetBytes(large.ToString()))]);
        _large = new PolicyEngine(new PolicySnapshot(bundle, _environment, catalog));

        _read = JsonDocument.Parse("""{"service":"billing","method":"GET","path":"/api/customers/42/invoices?status=open&limit=50","headers":{"Accept":"application/json"}}""");
        _tricky = JsonDocument.Parse("""{"service":"billing","method":"GET","path":"/api/./customers/%7Ealice/../../api/%41dmin/x/y/z/../../q?x=%2e"}""");
    }

    [Benchmark(Baseline = true)]
    public object Classify_read() => _classifier.Classify(_read.RootElement, _environment);

    [Benchmark]
    public object Classify_dot_segments() => _classifier.Classify(_tricky.RootElement, _environment);

    [Benchmark]
    public object Decide_reference_bundle() => _reference.Evaluate("billing-agent", HttpCallTool.Name, _read.RootElement);

    [Benchmark]
    public object Decide_500_rule_bundle() => _large.Evaluate("billing-agent", HttpCallTool.Name, _read.RootElement);

    [Benchmark]
    public bool May_ever_use() => _reference.MayEverUse("billing-agent", HttpCallTool.Name, "billing");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "McpGateway.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from inside the repository.");
    }
}
