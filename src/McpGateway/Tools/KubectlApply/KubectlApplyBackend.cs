using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Kubernetes;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// Runs allowed <c>kubectl_apply</c> calls: the classified objects, as JSON. First a server-side
/// dry run of every object (<c>dryRun=All</c>: validation, admission and conflicts checked,
/// nothing stored); only when all pass, server-side apply of each in order, as field manager
/// <c>mcp-gateway</c>, forced only under the <c>forceConflicts</c> obligation, stopping at the
/// first failure. The result lists every object with what happened to it: created, configured,
/// unchanged, failed, or not attempted. Object bodies are never returned, and the server's
/// messages are stripped of the applied Secrets' values (they are masked again by the pipeline).
/// </summary>
internal sealed class KubectlApplyBackend : IToolBackend<KubectlApplyRequest>
{
    public async Task<ToolResult> ExecuteAsync(ExecutionRecord<KubectlApplyRequest> record, CancellationToken cancellationToken)
    {
        var request = record.Request;
        var connection = record.Snapshot.Clients.Get<KubernetesConnection>(TargetKinds.Kubernetes, request.Cluster)
            ?? throw new ToolCallException($"Cluster '{request.Cluster}' is no longer configured.");
        var force = record.Obligations.TryGetValue(KubectlApplyTool.ForceConflicts, out var flag) && flag.Flag;
        var secrets = SecretValues.Of(request.Objects);
        var outcomes = request.Objects.Select(o => new ObjectOutcome(o)).ToList();

        // Everything is checked first: a manifest with one bad object changes nothing.
        foreach (var outcome in outcomes)
        {
            var dry = await ServerSideApply.ApplyAsync(connection, outcome.Object, force, dryRun: true, cancellationToken).ConfigureAwait(false);
            if (!dry.IsSuccess)
            {
                outcome.Fail(secrets.Scrub(KubernetesStatus.Explain(dry, ServerSideApply.Describe(outcome.Object), dryRun: true)), KubernetesStatus.Reason(dry));
                return Result(request, outcomes, $"Nothing was applied: the server-side dry run of {ServerSideApply.Describe(outcome.Object)} failed.");
            }

            outcome.DryRunPassed = true;
        }

        foreach (var outcome in outcomes)
        {
            var live = await ServerSideApply.GetAsync(connection, outcome.Object, cancellationToken).ConfigureAwait(false);
            var applied = await ServerSideApply.ApplyAsync(connection, outcome.Object, force, dryRun: false, cancellationToken).ConfigureAwait(false);
            if (!applied.IsSuccess)
            {
                outcome.Fail(secrets.Scrub(KubernetesStatus.Explain(applied, ServerSideApply.Describe(outcome.Object), dryRun: false)), KubernetesStatus.Reason(applied));
                var done = outcomes.Count(o => o.Action is not null and not "failed");
                return Result(request, outcomes, $"Stopped at the first failure, {ServerSideApply.Describe(outcome.Object)}: {done} object(s) before it were applied, the rest were not attempted.");
            }

            outcome.Action = Action(live, applied);
        }

        return Result(request, outcomes, null);
    }

    /// <summary>created (new), unchanged (the server kept its resourceVersion), configured otherwise.</summary>
    private static string Action(KubernetesResponse live, KubernetesResponse applied)
    {
        if (applied.Status == HttpStatusCode.Created || live.Status == HttpStatusCode.NotFound)
        {
            return "created";
        }

        var before = live.IsSuccess ? live.Body?["metadata"]?["resourceVersion"]?.ToString() : null;
        var after = applied.Body?["metadata"]?["resourceVersion"]?.ToString();
        return before is not null && before == after ? "unchanged" : "configured";
    }

    private static ToolResult Result(KubectlApplyRequest request, List<ObjectOutcome> outcomes, string? failure)
    {
        var result = new JsonObject
        {
            ["cluster"] = request.Cluster,
            ["applied"] = failure is null,
            ["objects"] = new JsonArray([.. outcomes.Select(o => (JsonNode?)o.ToJson())]),
            ["error"] = failure,
        };
        return new ToolResult(result, Summarize) { IsError = failure is not null };
    }

    /// <summary>The text form, from the masked result: one line per object.</summary>
    private static string Summarize(JsonObject masked)
    {
        var text = new StringBuilder(masked["error"]?.GetValue<string>() is { } error
            ? error
            : $"Applied to cluster {masked["cluster"]}:");
        foreach (var obj in (masked["objects"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var where = obj["namespace"] is { } ns ? $"{ns}/{obj["name"]}" : $"{obj["name"]}";
            text.Append($"\n- {obj["kind"]} {where}: {obj["action"]}");
            if (obj["message"]?.GetValue<string>() is { } message)
            {
                text.Append(" — ").Append(message);
            }
        }

        return text.ToString();
    }

    /// <summary>What happened to one object.</summary>
    private sealed class ObjectOutcome(KubernetesObject obj)
    {
        public KubernetesObject Object { get; } = obj;

        public bool DryRunPassed { get; set; }

        /// <summary>created, configured, unchanged, failed; null while not attempted.</summary>
        public string? Action { get; set; }

        public string? Message { get; private set; }

        public string? Reason { get; private set; }

        public void Fail(string message, string? reason)
        {
            Action = "failed";
            Message = message;
            Reason = reason;
        }

        public JsonObject ToJson() => new()
        {
            ["kind"] = Object.Kind,
            ["apiVersion"] = Object.ApiVersion,
            ["name"] = Object.Name,
            ["namespace"] = Object.Namespace,
            ["action"] = Action ?? "not attempted",
            ["reason"] = Reason,
            ["message"] = Message,
        };
    }
}
