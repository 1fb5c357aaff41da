using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies.Classifiers.Http;
using static McpGateway.Policies.Classifiers.Kubernetes.ManifestJson;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>An object of the manifest whose identity and scope are known.</summary>
/// <param name="Where">Where it is, for messages: <c>document 2</c>, <c>document 1, items[3]</c>.</param>
/// <param name="Object">What is applied.</param>
/// <param name="Json">The same body, as nodes, for the analysis.</param>
/// <param name="KindName">
/// The kind as rules name it: the kind alone for the API server's own groups, <c>Kind.group</c>
/// for any other group, so a custom kind cannot pass for a built-in one of the same name.
/// </param>
internal sealed record ManifestObject(string Where, KubernetesObject Object, JsonObject Json, string KindName);

/// <summary>
/// Turns a manifest's documents into the objects to apply: expands <c>List</c> kinds (also nested
/// ones), checks each object's <c>apiVersion</c>, <c>kind</c> and <c>metadata</c>, finds its
/// scope (the built-in table, else the cluster's discovery), and gives namespaced objects without
/// a namespace the cluster's default one.
/// </summary>
internal static class ManifestObjects
{
    private static readonly JsonDocumentOptions BodyOptions = new() { MaxDepth = ManifestLimits.Default.MaxDepth + 8 };

    /// <summary>The objects, or the problems (one per object that cannot be applied) in <paramref name="errors"/>.</summary>
    public static List<ManifestObject> Resolve(List<ManifestDocument> documents, KubernetesTargetInfo cluster, ManifestLimits limits, List<string> errors, List<string>? unknownKinds = null)
    {
        var raw = new List<(string Where, JsonObject Body)>();
        foreach (var document in documents)
        {
            var where = document.Line > 0 ? $"document {document.Number} (line {document.Line})" : $"document {document.Number}";
            switch (document.Root)
            {
                case null:
                    // An empty document, as between two '---' lines.
                    break;
                case JsonObject obj:
                    Expand(obj, where, raw, errors);
                    break;
                default:
                    errors.Add($"{Capital(where)} is {Describe(document.Root)}, not a Kubernetes object: each document must be a mapping with apiVersion, kind and metadata (or a kind: List with items).");
                    break;
            }

            if (raw.Count > limits.MaxObjects)
            {
                errors.Add($"The manifest holds more than {limits.MaxObjects:N0} objects; apply it in several calls.");
                return [];
            }
        }

        var objects = new List<ManifestObject>(raw.Count);
        foreach (var (where, body) in raw)
        {
            if (Identify(where, body, cluster, errors, unknownKinds) is { } resolved)
            {
                objects.Add(resolved);
            }
        }

        if (objects.Count == 0 && errors.Count == 0)
        {
            errors.Add("The manifest holds no objects (it is empty, only comments, or only empty Lists); give at least one object with apiVersion, kind and metadata.name.");
        }

        return objects;
    }

    private static void Expand(JsonObject obj, string where, List<(string, JsonObject)> into, List<string> errors)
    {
        // As the API machinery decodes lists: a kind ending in 'List' with an 'items' list. A kind
        // such as AllowList without items is an object of its own; a bare List must have items.
        var kind = String(obj, "kind");
        var items = Get(obj, "items") as JsonArray;
        if (kind is null || !kind.EndsWith("List", StringComparison.Ordinal) || (items is null && kind != "List"))
        {
            into.Add((where, obj));
            return;
        }

        if (items is null)
        {
            errors.Add($"{Capital(where)} is a {JsonText.Display(kind)} without an 'items' list; give its objects under items, or write them as separate documents.");
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var itemWhere = $"{where}, items[{i}]";
            if (items[i] is JsonObject item)
            {
                Expand(item, itemWhere, into, errors);
            }
            else
            {
                errors.Add($"{Capital(itemWhere)} is {Describe(items[i])}, not a Kubernetes object.");
            }
        }
    }

    private static ManifestObject? Identify(string where, JsonObject body, KubernetesTargetInfo cluster, List<string> errors, List<string>? unknownKinds)
    {
        var before = errors.Count;
        var apiVersion = Text(body, "apiVersion", where, "for example apiVersion: apps/v1", errors);
        var kind = Text(body, "kind", where, "for example kind: Deployment", errors);
        var metadata = Get(body, "metadata") as JsonObject;
        if (metadata is null)
        {
            errors.Add($"{Capital(where)}: 'metadata' must be a mapping with at least a name, {(Get(body, "metadata") is null ? "and it is missing" : "not " + Describe(Get(body, "metadata")))}.");
        }

        var name = metadata is null ? null : Name(metadata, where, errors);
        if (errors.Count > before || apiVersion is null || kind is null || name is null || metadata is null)
        {
            return null;
        }

        var label = $"{where}, {JsonText.Display(kind)} '{JsonText.Display(name)}'";
        if (!KubernetesNames.TryParseApiVersion(apiVersion, out var group, out var version))
        {
            errors.Add($"{Capital(label)}: apiVersion '{JsonText.Display(apiVersion)}' is not of the form 'v1' or 'group/version' (for example apps/v1).");
            return null;
        }

        if (!KubernetesNames.IsKind(kind))
        {
            errors.Add($"{Capital(label)}: kind '{JsonText.Display(kind)}' is not a Kubernetes kind name (letters and digits, starting with a capital letter, like Deployment).");
            return null;
        }

        string resource;
        bool namespaced;
        if (KubernetesKinds.Find(group, kind) is { } builtIn)
        {
            (resource, namespaced) = (builtIn.Resource, builtIn.Namespaced);
        }
        else if (cluster.Discovery.Find(apiVersion, kind) is { } served)
        {
            (resource, namespaced) = (served.Resource, served.Namespaced);
        }
        else
        {
            var versions = cluster.Discovery.VersionsOf(group, kind);
            unknownKinds?.Add(apiVersion + "/" + kind);
            errors.Add(versions.Count > 0
                ? $"{Capital(label)}: cluster '{cluster.Name}' serves {JsonText.Display(kind)} of group {group} only in version {string.Join(", ", versions)}, not {JsonText.Display(version)}; change apiVersion."
                : $"{Capital(label)}: {JsonText.Display(kind)} in apiVersion '{JsonText.Display(apiVersion)}' is neither a built-in kind nor one that cluster '{cluster.Name}' serves, so its scope is unknown; check the kind's spelling and apiVersion (kinds are case-sensitive).");
            return null;
        }

        string? ns = null;
        var givenNamespace = Get(metadata, "namespace");
        if (givenNamespace is not null && AsString(givenNamespace) is null)
        {
            errors.Add($"{Capital(label)}: metadata.namespace must be a string, not {Describe(givenNamespace)}.");
            return null;
        }

        var written = AsString(givenNamespace);
        if (!namespaced)
        {
            if (!string.IsNullOrEmpty(written))
            {
                errors.Add($"{Capital(label)}: {JsonText.Display(kind)} is cluster-scoped, but metadata.namespace is set; remove metadata.namespace (a cluster-scoped object belongs to no namespace).");
                return null;
            }
        }
        else
        {
            ns = string.IsNullOrEmpty(written) ? cluster.DefaultNamespace : written;
            if (!KubernetesNames.IsNamespace(ns))
            {
                errors.Add($"{Capital(label)}: metadata.namespace '{JsonText.Display(ns)}' is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters).");
                return null;
            }

            metadata["namespace"] = ns;
        }

        using var document = JsonDocument.Parse(Serialize(body), BodyOptions);
        var applied = new KubernetesObject(apiVersion, group, version, kind, resource, ns, name, document.RootElement.Clone());
        var kindName = KubernetesKinds.IsBuiltInGroup(group) ? kind : kind + "." + group;
        return new ManifestObject(label, applied, body, kindName);
    }

    private static byte[] Serialize(JsonObject body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 1000 }))
        {
            body.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string? Text(JsonObject body, string field, string where, string example, List<string> errors)
    {
        var value = Get(body, field);
        if (AsString(value) is { Length: > 0 } text)
        {
            return text;
        }

        errors.Add(value is null
            ? $"{Capital(where)}: '{field}' is missing; give it ({example})."
            : $"{Capital(where)}: '{field}' must be a non-empty string ({example}), not {Describe(value)}.");
        return null;
    }

    private static string? Name(JsonObject metadata, string where, List<string> errors)
    {
        var value = Get(metadata, "name");
        if (AsString(value) is { Length: > 0 } name)
        {
            if (KubernetesNames.IsObjectName(name))
            {
                return name;
            }

            errors.Add($"{Capital(where)}: metadata.name '{JsonText.Display(name)}' is not a valid object name (at most 253 characters, no '/', '%', spaces or control characters, not '.' or '..').");
            return null;
        }

        errors.Add(value is null && Get(metadata, "generateName") is not null
            ? $"{Capital(where)}: metadata.generateName is not enough: server-side apply needs a fixed metadata.name."
            : $"{Capital(where)}: metadata.name is {(value is null ? "missing" : "not a non-empty string")}; every object needs a name.");
        return null;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "a mapping",
        JsonArray => "a list",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
    };

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
