using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Shell;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Benchmarks;

/// <summary>
/// One ssh_exec call: classification of a typical pipeline, of a wrapped shell script, and
/// classification plus decision against an on-call allow-list bundle.
/// </summary>
[MemoryDiagnoser]
public class ShellBenchmarks
{
    private const string Bundle = """
        rules:
          - name: oncall-read-only
            when:
              groups: [sre]
              tool: ssh_exec
              connection: web-1
              facts:
                shell.stages.command: [uptime, df, free, ls, cat, head, tail, grep, "systemctl status", journalctl]
                shell.stages.writes: { in: [/dev/null] }
                shell.stages.background: false
            effect: allow
          - name: restart-needs-a-lead
            when: { groups: [sre], tool: ssh_exec, connection: web-1, facts: { shell.stages.command: "systemctl restart" } }
            effect: approval
            approvers: { groups: [sre-leads] }
          - name: no-journal-maintenance
            when: { tool: ssh_exec, facts: { shell.stages.programName: journalctl, shell.stages.flags: { glob: ["--vacuum-*", "--rotate", "--flush"] } } }
            effect: deny
        """;

    private JsonDocument _typical = null!;
    private JsonDocument _wrapped = null!;
    private PolicyEnvironment _environment = null!;
    private IToolClassifier _classifier = null!;
    private PolicyEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _environment = new PolicyEnvironment(
            [IdentityInfo.Create("oncall", ["sre"], [Roles.Agent]), IdentityInfo.Create("lead", ["sre-leads"], [Roles.Operator])],
            ["sre", "sre-leads"],
            [new TargetInfo("web-1", TargetKinds.Ssh)],
            ["default"]);
        var catalog = new ToolCatalog([SshExecTool.Create()]);
        _classifier = catalog.Find(SshExecTool.Name)!.Classifier;
        var bundle = new PolicyBundleLoader(catalog, _environment).Load([new PolicySource("oncall.yaml", Encoding.UTF8.GetBytes(Bundle))]);
        _engine = new PolicyEngine(new PolicySnapshot(bundle, _environment, catalog));
        _typical = JsonDocument.Parse("""{"host":"web-1","command":"journalctl -u nginx --since today --no-pager 2>/dev/null | grep -i 'upstream timed out' | tail -n 50"}""");
        _wrapped = JsonDocument.Parse("""{"host":"web-1","command":"sudo -u app timeout 10 sh -c 'ls -la /var/log/app && df -h /var; cat \"/var/log/app/current.log\" | head -n 20'"}""");
    }

    [Benchmark(Baseline = true)]
    public object Classify_pipeline() => _classifier.Classify(_typical.RootElement, _environment);

    [Benchmark]
    public object Classify_wrapped_script() => _classifier.Classify(_wrapped.RootElement, _environment);

    [Benchmark]
    public object Decide_pipeline() => _engine.Evaluate("oncall", SshExecTool.Name, _typical.RootElement);
}
