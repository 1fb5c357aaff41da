using System.Text.Json;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// Classifies a <c>kubectl_apply</c> call: validates its arguments, reads the manifest strictly
/// (YAML or JSON, every document, <c>List</c> kinds expanded), resolves each object's scope and
/// namespace, and judges every pod spec, RBAC object, Secret, admission configuration and CRD.
/// The request is the list of objects as JSON, exactly what is applied. A manifest it cannot fully
/// read — bad YAML, a duplicate key, an alias, an object without a name, a kind of unknown scope —
/// is <c>unparsed</c> and applies nothing.
/// </summary>
internal sealed class KubectlApplyClassifier : IToolClassifier
{
    internal const string ClusterArgument = "cluster";
    internal const string ManifestArgument = "manifest";

    /// <summary>At most this many problems are reported; the rest are summed up.</summary>
    private const int MaxReported = 5;

    private const string Example = "{\"cluster\": \"prod\", \"manifest\": \"apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: settings\\ndata:\\n  mode: fast\\n\"}";
    private const string UnknownTarget = "unknown-target";

    private readonly ManifestLimits _limits;

    public KubectlApplyClassifier()
        : this(ManifestLimits.Default)
    {
    }

    internal KubectlApplyClassifier(ManifestLimits limits)
    {
        _limits = limits;
    }

    public Classification Classify(JsonElement arguments, PolicyEnvironment environment)
    {
        var refusals = new List<Refusal>();
        if (ToolArguments.Read(KubectlApplyTool.Name, arguments, KubectlApplyTool.Arguments, Example, refusals) is not { } fields)
        {
            return Classification.Refused(KubectlApplyTool.Name, null, refusals[0]);
        }

        var facts = new FactSetBuilder();
        var cluster = fields.RequiredString(ClusterArgument, () => ClusterHelp(environment));
        KubernetesTargetInfo? target = null;
        if (cluster is not null)
        {
            facts.Set(KubectlApplyTool.Cluster, cluster);
            target = FindCluster(environment, cluster, refusals);
        }

        var manifest = fields.RequiredString(ManifestArgument, "give the objects to apply as YAML (documents separated by '---') or JSON");
        if (manifest is { } text && text.Length > _limits.MaxChars)
        {
            refusals.Add(new Refusal(ToolArguments.RefusalCode, $"Argument 'manifest' is {text.Length:N0} characters long; kubectl_apply takes at most {_limits.MaxChars:N0}. Apply the objects in several calls."));
            manifest = null;
        }

        facts.Set(CommonFacts.Unparsed, false).Set(CommonFacts.Complex, false);
        if (refusals.Count > 0 || manifest is null || target is null || cluster is null)
        {
            return new Classification(KubectlApplyTool.Name, cluster ?? RawCluster(fields), facts.Build(), [], [.. refusals], null);
        }

        var errors = new List<string>();
        var unknownKinds = new List<string>();
        List<ManifestObject> objects;
        try
        {
            objects = ManifestObjects.Resolve(ManifestReader.Read(manifest, _limits), target, _limits, errors, unknownKinds);
        }
        catch (ManifestException ex)
        {
            errors.Add(ex.Message);
            objects = [];
        }

        var analyses = ObjectAnalysis.Analyze(objects);
        ObjectAnalysis.SetFacts(analyses, facts);
        facts.Set(KubectlApplyTool.UnknownKinds, unknownKinds.Distinct(StringComparer.Ordinal));
        if (errors.Count > 0)
        {
            facts.Set(CommonFacts.Unparsed, true);
            return new Classification(KubectlApplyTool.Name, cluster, facts.Build(), [.. Report(errors)], [], null);
        }

        var request = new KubectlApplyRequest(cluster, [.. objects.Select(o => o.Object)]);
        return new Classification(KubectlApplyTool.Name, cluster, facts.Build(), [], [], request);
    }

    private static IEnumerable<string> Report(List<string> errors)
    {
        foreach (var error in errors.Take(MaxReported))
        {
            yield return error;
        }

        if (errors.Count > MaxReported)
        {
            yield return $"And {errors.Count - MaxReported} more problems of the same kind.";
        }
    }

    private static KubernetesTargetInfo? FindCluster(PolicyEnvironment environment, string cluster, List<Refusal> refusals)
    {
        switch (environment.FindTarget(TargetKinds.Kubernetes, cluster))
        {
            case KubernetesTargetInfo info:
                return info;
            case { } other:
                return new KubernetesTargetInfo(other.Name);
        }

        var names = string.Join(", ", environment.TargetNames(TargetKinds.Kubernetes));
        refusals.Add(new Refusal(UnknownTarget, names.Length == 0
            ? $"Cluster '{JsonText.Display(cluster)}' is not configured, and this gateway has no Kubernetes clusters configured, so kubectl_apply cannot be used."
            : $"Cluster '{JsonText.Display(cluster)}' is not configured: use one of the configured Kubernetes clusters: {names}."));
        return null;
    }

    private static string? RawCluster(ToolArguments fields) =>
        fields[ClusterArgument] is { ValueKind: JsonValueKind.String } element && JsonText.TryGetString(element, out var name) ? name : null;

    private static string ClusterHelp(PolicyEnvironment environment)
    {
        var names = string.Join(", ", environment.TargetNames(TargetKinds.Kubernetes));
        return names.Length == 0
            ? "give the name of a configured Kubernetes cluster (none are configured)"
            : $"give the name of a configured Kubernetes cluster ({names})";
    }
}
