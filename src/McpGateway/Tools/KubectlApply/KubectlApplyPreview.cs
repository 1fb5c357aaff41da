using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Runtime;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// What an approver sees of a <c>kubectl_apply</c> call: for every object, the difference between
/// the live object (absent: it is created) and the server-side dry run of the apply, both without
/// the fields the server changes on every write (<c>metadata.resourceVersion</c>,
/// <c>generation</c>, <c>uid</c>, <c>creationTimestamp</c>, <c>managedFields</c>) and without
/// <c>status</c>. Secret <c>data</c> and <c>stringData</c> values appear only as
/// <c>sha256:&lt;8 hex&gt;</c> of their bytes. The preview must match at execution: it is computed
/// again then, and a changed diff (the live object changed, the cluster now defaults differently)
/// refuses the approved call. A preview that could not be computed (the cluster is down) says why,
/// and never matches, so an approval given on it cannot execute.
/// </summary>
internal static class KubectlApplyPreview
{
    private static readonly string[] Volatile = ["resourceVersion", "generation", "uid", "creationTimestamp", "managedFields"];

    public static async ValueTask<ToolPreview> DescribeAsync(KubectlApplyRequest request, RuntimeSnapshot snapshot, bool force, CancellationToken cancellationToken)
    {
        var objects = new JsonArray();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        string? failure = null;
        var connection = snapshot.Clients.Get<KubernetesConnection>(TargetKinds.Kubernetes, request.Cluster);
        var secrets = SecretValues.Of(request.Objects);
        foreach (var obj in request.Objects)
        {
            JsonObject entry;
            try
            {
                entry = connection is null
                    ? throw new ToolCallException($"Cluster '{request.Cluster}' is not configured.")
                    : await DiffAsync(connection, obj, force, secrets, cancellationToken).ConfigureAwait(false);
            }
            catch (ToolCallException ex)
            {
                entry = Identity(obj);
                entry["change"] = "error";
                entry["error"] = secrets.Scrub(ex.Message);
            }

            var change = entry["change"]!.GetValue<string>();
            counts[change] = counts.GetValueOrDefault(change) + 1;
            failure ??= change == "error" ? entry["error"]!.GetValue<string>() : null;
            objects.Add(entry);
        }

        var detail = new JsonObject
        {
            ["cluster"] = request.Cluster,
            ["fieldManager"] = ServerSideApply.FieldManager,
            ["force"] = force,
            ["objects"] = objects,
        };
        if (failure is not null)
        {
            // A preview that could not be computed must never match the one made at execution.
            detail["unverified"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        }

        var summary = $"apply {request.Objects.Length} object(s) to {request.Cluster}: "
            + string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}"))
            + (failure is null ? string.Empty : " — the dry run failed, so this request cannot run after approval; ask again once it passes");
        return new ToolPreview(Policies.Text.TextCut.ToChars(summary, 300), detail, MustMatchAtExecution: true);
    }

    private static async Task<JsonObject> DiffAsync(KubernetesConnection connection, KubernetesObject obj, bool force, SecretValues secrets, CancellationToken cancellationToken)
    {
        var entry = Identity(obj);
        var live = await ServerSideApply.GetAsync(connection, obj, cancellationToken).ConfigureAwait(false);
        if (!live.IsSuccess && live.Status != HttpStatusCode.NotFound)
        {
            throw new ToolCallException($"Reading the live {ServerSideApply.Describe(obj)} failed: {KubernetesStatus.Message(live)}");
        }

        var dry = await ServerSideApply.ApplyAsync(connection, obj, force, dryRun: true, cancellationToken).ConfigureAwait(false);
        if (!dry.IsSuccess)
        {
            throw new ToolCallException(secrets.Scrub(KubernetesStatus.Explain(dry, ServerSideApply.Describe(obj), dryRun: true)));
        }

        var after = Normalize(dry.Body as JsonObject ?? [], obj);
        if (!live.IsSuccess)
        {
            entry["change"] = "create";
            entry["object"] = after;
            return entry;
        }

        var before = Normalize(live.Body as JsonObject ?? [], obj);
        var changes = new JsonArray();
        Diff(string.Empty, before, after, changes);
        entry["change"] = changes.Count == 0 ? "unchanged" : "update";
        entry["changes"] = changes;
        return entry;
    }

    private static JsonObject Identity(KubernetesObject obj) => new()
    {
        ["kind"] = obj.Kind,
        ["apiVersion"] = obj.ApiVersion,
        ["name"] = obj.Name,
        ["namespace"] = obj.Namespace,
    };

    /// <summary>The object without what every write changes, and with a Secret's values as hashes.</summary>
    internal static JsonObject Normalize(JsonObject body, KubernetesObject obj)
    {
        var copy = (JsonObject)body.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var field in Volatile)
            {
                metadata.Remove(field);
            }
        }

        if (SecretValues.IsSecret(obj))
        {
            // stringData is write-only: the server merges it into data; both are compared as bytes.
            var data = copy["data"] as JsonObject ?? [];
            foreach (var (field, key, bytes) in SecretBytes(copy))
            {
                data[key] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..8];
                if (field == "stringData")
                {
                    (copy["stringData"] as JsonObject)?.Remove(key);
                }
            }

            copy.Remove("stringData");
            copy.Remove("data");
            if (data.Count > 0)
            {
                copy["data"] = data;
            }
        }

        return copy;
    }

    private static List<(string Field, string Key, byte[] Bytes)> SecretBytes(JsonObject secret)
    {
        var entries = new List<(string, string, byte[])>();
        foreach (var field in new[] { "data", "stringData" })
        {
            foreach (var (key, value) in secret[field] as JsonObject ?? [])
            {
                var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? string.Empty;
                byte[] bytes;
                try
                {
                    bytes = field == "data" ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
                }
                catch (FormatException)
                {
                    bytes = Encoding.UTF8.GetBytes(text);
                }

                entries.Add((field, key, bytes));
            }
        }

        return entries;
    }

    /// <summary>Every difference between two trees, as { path, live, applied } (a missing side is absent).</summary>
    private static void Diff(string path, JsonNode? before, JsonNode? after, JsonArray changes)
    {
        if (before is JsonObject a && after is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Diff(path + "/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), a[key], b[key], changes);
            }

            return;
        }

        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        var change = new JsonObject { ["path"] = path };
        if (before is not null)
        {
            change["live"] = before.DeepClone();
        }

        if (after is not null)
        {
            change["applied"] = after.DeepClone();
        }

        changes.Add(change);
    }
}
