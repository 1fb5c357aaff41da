using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.IntegrationTests.Tools.Kubernetes;

/// <summary>A kind the stand-in serves: its group, version, plural resource name and scope.</summary>
internal sealed record StandInResource(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>What the stand-in answers: a status code and a JSON body (an object or a Status).</summary>
internal sealed record StandInReply(HttpStatusCode Status, JsonObject Body);

/// <summary>
/// The stand-in's objects and their field ownership, with server-side apply as the API server
/// does it at the granularity modelled here: a field is a top-level field of the object, or a
/// direct child of a top-level mapping (<c>.spec.replicas</c>, <c>.data.mode</c>,
/// <c>.metadata.labels.app</c>). A field another manager owns with a different value is a
/// conflict (409) unless forced; fields a manager stops applying are removed when it alone owned
/// them; <c>resourceVersion</c> changes only when the object does; <c>dryRun</c> computes the
/// same answer and stores nothing. Secret <c>stringData</c> is merged into <c>data</c>.
/// </summary>
internal sealed class StandInStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Stored> _objects = new(StringComparer.Ordinal);
    private long _resourceVersion = 1000;

    /// <summary>Namespaces the gateway's account may not write to (403).</summary>
    public HashSet<string> ForbiddenNamespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs before a real (not dry-run) apply of the path: a concurrent writer, to make a later object fail after a clean dry run.</summary>
    public Dictionary<string, Action<StandInStore>> BeforeApply { get; } = new(StringComparer.Ordinal);

    /// <summary>How many objects are stored (dry runs never add one).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _objects.Count;
            }
        }
    }

    public JsonObject? Find(string path)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(path, out var stored) ? (JsonObject)stored.Object.DeepClone() : null;
        }
    }

    public StandInReply Get(string path, StandInResource resource, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(path, out var stored)
                ? new StandInReply(HttpStatusCode.OK, WithManagedFields(stored))
                : Status(HttpStatusCode.NotFound, "NotFound", $"{Resource(resource)} \"{name}\" not found", name, resource);
        }
    }

    public StandInReply Apply(string path, StandInResource resource, string? ns, string name, JsonObject body, string manager, bool force, bool dryRun)
    {
        if (!dryRun && BeforeApply.Remove(path, out var concurrent))
        {
            concurrent(this);
        }

        lock (_gate)
        {
            if (ns is not null && ForbiddenNamespaces.Contains(ns))
            {
                return Status(HttpStatusCode.Forbidden, "Forbidden", $"{Resource(resource)} \"{name}\" is forbidden: User \"system:serviceaccount:gateway:mcp-gateway\" cannot patch resource \"{resource.Plural}\" in API group \"{resource.Group}\" in the namespace \"{ns}\"", name, resource);
            }

            body = (JsonObject)body.DeepClone();
            if (Invalid(resource, name, body) is { } invalid)
            {
                return invalid;
            }

            _objects.TryGetValue(path, out var existing);
            var applied = Fields(body);
            var conflicts = new List<(string Field, string Owner)>();
            foreach (var (field, value) in applied)
            {
                if (existing is not null && existing.Owners.TryGetValue(field, out var owners))
                {
                    foreach (var owner in owners.Where(o => o != manager))
                    {
                        if (!JsonNode.DeepEquals(Read(existing.Object, field), value))
                        {
                            conflicts.Add((field, owner));
                        }
                    }
                }
            }

            if (conflicts.Count > 0 && !force)
            {
                var causes = new JsonArray([.. conflicts.Select(c => (JsonNode?)new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with \"{c.Owner}\"", ["field"] = c.Field })]);
                var reply = Status(HttpStatusCode.Conflict, "Conflict", $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? string.Empty : "s")}: conflict with \"{conflicts[0].Owner}\": {conflicts[0].Field}", name, resource);
                reply.Body["details"]!["causes"] = causes;
                return reply;
            }

            var next = existing is null ? Skeleton(body, ns, name) : (JsonObject)existing.Object.DeepClone();
            var owners2 = existing is null ? new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) : existing.Owners.ToDictionary(o => o.Key, o => new HashSet<string>(o.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var (field, fieldOwners) in owners2.ToList())
            {
                if (fieldOwners.Contains(manager) && !applied.ContainsKey(field))
                {
                    fieldOwners.Remove(manager);
                    if (fieldOwners.Count == 0)
                    {
                        Remove(next, field);
                        owners2.Remove(field);
                    }
                }
            }

            foreach (var (field, value) in applied)
            {
                Write(next, field, value?.DeepClone());
                if (force || !owners2.TryGetValue(field, out var fieldOwners))
                {
                    owners2[field] = new HashSet<string>(StringComparer.Ordinal) { manager };
                }
                else
                {
                    fieldOwners.Add(manager);
                }
            }

            var metadata = (JsonObject)next["metadata"]!;
            var created = existing is null;
            var changed = created || !JsonNode.DeepEquals(existing!.Object, next);
            if (created)
            {
                metadata["uid"] = Guid.NewGuid().ToString();
                metadata["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                metadata["generation"] = 1L;
            }
            else if (changed)
            {
                metadata["generation"] = (metadata["generation"]?.GetValue<long>() ?? 1) + 1;
            }

            if (changed)
            {
                metadata["resourceVersion"] = (dryRun ? _resourceVersion + 1 : ++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            }

            var stored = new Stored(next, owners2);
            if (!dryRun)
            {
                _objects[path] = stored;
            }

            return new StandInReply(created ? HttpStatusCode.Created : HttpStatusCode.OK, WithManagedFields(stored));
        }
    }

    /// <summary>What the API server would refuse as invalid (422), for the kinds the tests use.</summary>
    private static StandInReply? Invalid(StandInResource resource, string name, JsonObject body)
    {
        var causes = new List<(string Field, string Message)>();
        if (resource.Kind == "Secret")
        {
            foreach (var (key, value) in body["data"] as JsonObject ?? [])
            {
                var text = value?.ToString() ?? string.Empty;
                try
                {
                    Convert.FromBase64String(text);
                }
                catch (FormatException)
                {
                    // The API server quotes the bad value: the gateway must not pass it on.
                    causes.Add(($"data[{key}]", $"Invalid value: \"{text}\": illegal base64 data"));
                }
            }

            if (body["stringData"] is JsonObject stringData)
            {
                var data = body["data"] as JsonObject ?? [];
                foreach (var (key, value) in stringData)
                {
                    data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.ToString() ?? string.Empty));
                }

                body.Remove("stringData");
                body["data"] = data;
            }
        }

        if (resource.Kind is "Deployment" or "StatefulSet" or "DaemonSet" && body["spec"]?["selector"] is null)
        {
            causes.Add(("spec.selector", "Required value"));
        }

        if (causes.Count == 0)
        {
            return null;
        }

        var reply = Status(HttpStatusCode.UnprocessableEntity, "Invalid", $"{resource.Kind}{(resource.Group.Length == 0 ? string.Empty : "." + resource.Group)} \"{name}\" is invalid: {string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"))}", name, resource);
        reply.Body["details"]!["causes"] = new JsonArray([.. causes.Select(c => (JsonNode?)new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = c.Message, ["field"] = c.Field })]);
        return reply;
    }

    public static StandInReply Status(HttpStatusCode code, string reason, string message, string? name = null, StandInResource? resource = null) => new(code, new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["details"] = new JsonObject { ["name"] = name, ["group"] = resource?.Group, ["kind"] = resource?.Plural },
        ["code"] = (int)code,
    });

    private static string Resource(StandInResource resource) => resource.Group.Length == 0 ? resource.Plural : $"{resource.Plural}.{resource.Group}";

    private static JsonObject Skeleton(JsonObject body, string? ns, string name)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        return new JsonObject { ["apiVersion"] = body["apiVersion"]?.DeepClone(), ["kind"] = body["kind"]?.DeepClone(), ["metadata"] = metadata };
    }

    /// <summary>The fields an applied body sets, with their values (see the class remarks for the granularity).</summary>
    private static Dictionary<string, JsonNode?> Fields(JsonObject body)
    {
        var fields = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in body)
        {
            if (key is "apiVersion" or "kind" or "status")
            {
                continue;
            }

            if (key == "metadata")
            {
                foreach (var map in new[] { "labels", "annotations" })
                {
                    foreach (var (name, text) in value?[map] as JsonObject ?? [])
                    {
                        fields[$".metadata.{map}.{name}"] = text;
                    }
                }
            }
            else if (value is JsonObject children && children.Count > 0)
            {
                foreach (var (child, childValue) in children)
                {
                    fields[$".{key}.{child}"] = childValue;
                }
            }
            else
            {
                fields[$".{key}"] = value;
            }
        }

        return fields;
    }

    private static JsonNode? Read(JsonObject obj, string field)
    {
        JsonNode? node = obj;
        foreach (var part in field.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = (node as JsonObject)?[part];
        }

        return node;
    }

    private static void Write(JsonObject obj, string field, JsonNode? value)
    {
        var parts = field.Split('.', 3, StringSplitOptions.RemoveEmptyEntries);
        var parent = obj;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (parent[parts[i]] is not JsonObject child)
            {
                child = [];
                parent[parts[i]] = child;
            }

            parent = child;
        }

        parent[parts[^1]] = value;
    }

    private static void Remove(JsonObject obj, string field)
    {
        var parts = field.Split('.', 3, StringSplitOptions.RemoveEmptyEntries);
        var parent = obj;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (parent[parts[i]] is not JsonObject child)
            {
                return;
            }

            parent = child;
        }

        parent.Remove(parts[^1]);
    }

    private static JsonObject WithManagedFields(Stored stored)
    {
        var obj = (JsonObject)stored.Object.DeepClone();
        var managers = stored.Owners.Values.SelectMany(o => o).Distinct().Order(StringComparer.Ordinal);
        ((JsonObject)obj["metadata"]!)["managedFields"] = new JsonArray([.. managers.Select(m => (JsonNode?)new JsonObject
        {
            ["manager"] = m,
            ["operation"] = "Apply",
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = new JsonObject([.. stored.Owners.Where(o => o.Value.Contains(m)).Select(o => KeyValuePair.Create("f:" + o.Key, (JsonNode?)new JsonObject()))]),
        })]);
        return obj;
    }

    /// <summary>Writes <paramref name="body"/> as <paramref name="manager"/> directly (another tool's apply), for tests.</summary>
    public void ApplyAs(string path, StandInResource resource, string? ns, string name, string body, string manager) =>
        Apply(path, resource, ns, name, JsonNode.Parse(body)!.AsObject(), manager, force: true, dryRun: false);

    private sealed record Stored(JsonObject Object, Dictionary<string, HashSet<string>> Owners);
}
