using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies.Masking.Detection;

namespace McpGateway.Policies.Masking;

public sealed partial class Masker
{
    // Where a value is, as far as the Kubernetes Secret rule cares.
    private enum Kube
    {
        None,
        Secret,
        SecretMetadata,
        SecretAnnotations,
        SecretData,
    }

    /// <summary>A strategy imposed on a value and everything inside it, and what to call it in the report.</summary>
    private readonly record struct Imposed(MaskStrategy Strategy, string Marker, string Rule);

    /// <summary>One walk down one tree: the masker, the report, the table, and the path for explanations.</summary>
    private sealed class TreeWalk(Masker masker, MaskingReport? report, MaskingTable? table)
    {
        private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

        private static readonly Imposed KubeSecret = new(MaskStrategy.Redact, MaskDetectors.RuleMarker, MaskDetectors.KubernetesSecret);

        private readonly List<object>? _path = report is { Explains: true } ? [] : null;

        public JsonNode? Root(JsonNode node) => Value(node, PathState.Root(masker.Profile.PathRules), null, Kube.None, 0);

        private JsonNode? Value(JsonNode? node, PathState? paths, Imposed? imposed, Kube kube, int depth)
        {
            if (paths?.Matched is { } ruled)
            {
                return Whole(node, new Imposed(ruled, MaskDetectors.RuleMarker, paths.MatchedBy!));
            }

            switch (node)
            {
                case JsonObject properties:
                    Object(properties, paths, imposed, kube, depth + 1);
                    return properties;
                case JsonArray items when table is not null && ReferenceEquals(items, table.Rows):
                    Rows(items, paths, depth + 1);
                    return items;
                case JsonArray items:
                    Array(items, paths, imposed, depth + 1);
                    return items;
                case JsonValue value when imposed is { } forced:
                    return value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? Whole(value, forced) : value;
                case JsonValue value:
                    return Scalar(value);
                default:
                    return node;
            }
        }

        private void Object(JsonObject properties, PathState? paths, Imposed? imposed, Kube kube, int depth)
        {
            CheckDepth(depth);
            if (kube == Kube.None && properties.TryGetPropertyValue("kind", out var kind) && kind is JsonValue k
                && k.GetValueKind() == JsonValueKind.String && k.ToString() == "Secret")
            {
                kube = Kube.Secret;
            }

            // An environment entry { "name": "DB_PASSWORD", "value": "…" } holds a secret in "value".
            // Names are judged as masked, so that masking a masked tree again changes nothing.
            var secretValue = properties.TryGetPropertyValue("name", out var name) && name is JsonValue n && n.GetValueKind() == JsonValueKind.String
                ? masker.FieldTreatment(SecretKeyNames.Classify(masker.MaskString(n.ToString(), null, null, out _)))
                : null;

            for (var i = 0; i < properties.Count; i++)
            {
                var (key, child) = properties.GetAt(i);
                _path?.Add(key);
                var maskedKey = masker.MaskString(key, report, Location(" (name)"), out _);
                var childKube = ChildKube(kube, key);
                var childImposed = imposed
                    ?? (kube == Kube.SecretData || (kube == Kube.SecretAnnotations && key == LastApplied) ? KubeSecret : (Imposed?)null)
                    ?? (key == "value" ? secretValue : null)
                    ?? masker.FieldTreatment(SecretKeyNames.Classify(maskedKey));
                var masked = Value(child, paths?.Child(key, -1), childImposed, childKube, depth);
                if (!ReferenceEquals(masked, child))
                {
                    properties.SetAt(i, masked);
                }

                if (!ReferenceEquals(maskedKey, key))
                {
                    properties.SetAt(i, Unique(properties, maskedKey), properties.GetAt(i).Value);
                }

                _path?.RemoveAt(_path.Count - 1);
            }
        }

        private void Array(JsonArray items, PathState? paths, Imposed? imposed, int depth)
        {
            CheckDepth(depth);
            for (var i = 0; i < items.Count; i++)
            {
                _path?.Add(i);
                var item = items[i];
                var masked = Value(item, paths?.Child(null, i), imposed, Kube.None, depth);
                if (!ReferenceEquals(masked, item))
                {
                    items[i] = masked;
                }

                _path?.RemoveAt(_path.Count - 1);
            }
        }

        private void Rows(JsonArray rows, PathState? paths, int depth)
        {
            CheckDepth(depth + 1);
            var columns = table!.Columns;
            var plan = masker.Profile.Plan(columns, table.Referenced ?? ReferencedColumns.Unknown);
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var c = columns.Count - 1; c >= 0; c--)
            {
                byName[columns[c].Name] = c;
            }

            for (var r = 0; r < rows.Count; r++)
            {
                _path?.Add(r);
                var rowPaths = paths?.Child(null, r);
                var row = rows[r];
                if (rowPaths?.Matched is null && row is JsonArray cells)
                {
                    for (var c = 0; c < cells.Count; c++)
                    {
                        var treatment = c < columns.Count ? plan.Treatments[c] : plan.Unknown;
                        _path?.Add(c);
                        var cell = cells[c];
                        var masked = Cell(cell, rowPaths?.Child(null, c), treatment, c < columns.Count ? columns[c].Name : null, depth + 1);
                        if (!ReferenceEquals(masked, cell))
                        {
                            cells[c] = masked;
                        }

                        _path?.RemoveAt(_path.Count - 1);
                    }
                }
                else if (rowPaths?.Matched is null && row is JsonObject named)
                {
                    for (var c = 0; c < named.Count; c++)
                    {
                        var (key, cell) = named.GetAt(c);
                        var treatment = byName.TryGetValue(key, out var index) ? plan.Treatments[index] : plan.Unknown;
                        _path?.Add(key);
                        var masked = Cell(cell, rowPaths?.Child(key, -1), treatment, key, depth + 1);
                        if (!ReferenceEquals(masked, cell))
                        {
                            named.SetAt(c, masked);
                        }

                        _path?.RemoveAt(_path.Count - 1);
                    }
                }
                else
                {
                    var masked = Value(row, rowPaths, null, Kube.None, depth);
                    if (!ReferenceEquals(masked, row))
                    {
                        rows[r] = masked;
                    }
                }

                _path?.RemoveAt(_path.Count - 1);
            }
        }

        private JsonNode? Cell(JsonNode? cell, PathState? paths, ColumnTreatment? treatment, string? column, int depth)
        {
            var imposed = treatment is { } ruled
                ? new Imposed(ruled.Strategy, MaskDetectors.RuleMarker, ruled.Rule)
                : column is null ? (Imposed?)null : masker.FieldTreatment(SecretKeyNames.Classify(column));
            return Value(cell, paths, imposed, Kube.None, depth);
        }

        private JsonValue? Scalar(JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    var text = value.TryGetValue<string>(out var held) ? held : HeldSecretRedactor.StringOf(value);
                    var masked = masker.MaskString(text, report, Location(null), out var wholeNull);
                    return wholeNull ? null : ReferenceEquals(masked, text) ? value : JsonValue.Create(masked);
                case JsonValueKind.Number:
                    return Number(value);
                default:
                    return value;
            }
        }

        // A number can spell a held secret (a PIN) or a card; anything shorter than twelve digits is no card.
        private JsonValue? Number(JsonValue value)
        {
            if (masker._held.SecretCount == 0 && IsSmall(value))
            {
                return value;
            }

            var text = value.ToJsonString();
            if (text.Length < 12 && !masker._held.ContainsSecret(text))
            {
                return value;
            }

            var masked = masker.MaskString(text, report, Location(null), out var wholeNull);
            return wholeNull ? null : ReferenceEquals(masked, text) ? value : JsonValue.Create(masked);
        }

        // Below 10^11 a number has too few digits before its point for any detector, without formatting it.
        private static bool IsSmall(JsonValue value)
        {
            const double Limit = 1e11;
            return value.TryGetValue<JsonElement>(out var element)
                ? element.TryGetDouble(out var d) && Math.Abs(d) < Limit
                : (value.TryGetValue<int>(out _) || value.TryGetValue<short>(out _) || value.TryGetValue<byte>(out _)
                    || (value.TryGetValue<long>(out var l) && Math.Abs((double)l) < Limit)
                    || (value.TryGetValue<double>(out var x) && Math.Abs(x) < Limit)
                    || (value.TryGetValue<decimal>(out var m) && Math.Abs(m) < (decimal)Limit)
                    || (value.TryGetValue<float>(out var f) && Math.Abs(f) < Limit));
        }

        private JsonValue? Whole(JsonNode? node, Imposed imposed)
        {
            if (node is null)
            {
                return null;
            }

            report?.Add(imposed.Rule, imposed.Strategy, Location(null), 0, 0);
            var text = node is JsonValue value && value.GetValueKind() == JsonValueKind.String
                ? (value.TryGetValue<string>(out var s) ? s : HeldSecretRedactor.StringOf(value))
                : node.ToJsonString();

            // A value that holds a held secret shows nothing of it: no last four, no token.
            var strategy = imposed.Strategy < MaskStrategy.Redact && masker._held.ContainsSecret(text) ? MaskStrategy.Redact : imposed.Strategy;
            return strategy switch
            {
                MaskStrategy.Null => null,
                MaskStrategy.Partial when text.Length >= 8 => JsonValue.Create("****" + text[^4..]),
                MaskStrategy.Token => JsonValue.Create(masker.Token(text)),
                _ => JsonValue.Create(imposed.Marker),
            };
        }

        private static Kube ChildKube(Kube kube, string key) => (kube, key) switch
        {
            (Kube.Secret, "data" or "stringData") => Kube.SecretData,
            (Kube.Secret, "metadata") => Kube.SecretMetadata,
            (Kube.SecretMetadata, "annotations") => Kube.SecretAnnotations,
            _ => Kube.None,
        };

        private static string Unique(JsonObject properties, string name)
        {
            var unique = name;
            for (var n = 2; properties.ContainsKey(unique); n++)
            {
                unique = string.Create(CultureInfo.InvariantCulture, $"{name}#{n}");
            }

            return unique;
        }

        private static void CheckDepth(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new MaskingException($"The value is nested deeper than {MaxDepth} levels, so it is not masked and is withheld.");
            }
        }

        private Func<string>? Location(string? suffix)
        {
            if (_path is null)
            {
                return null;
            }

            var path = new StringBuilder("$");
            foreach (var step in _path)
            {
                _ = step is int index
                    ? path.Append(CultureInfo.InvariantCulture, $"[{index}]")
                    : path.Append('[').Append(JsonSerializer.Serialize((string)step)).Append(']');
            }

            var location = path.Append(suffix).ToString();
            return () => location;
        }
    }

    // The treatment of a secret-named field's value, or null when the profile does not mask such fields.
    private Imposed? FieldTreatment(SecretKeyKind kind)
    {
        if (kind == SecretKeyKind.None)
        {
            return null;
        }

        var preferred = kind == SecretKeyKind.AwsSecret ? MaskDetector.AwsSecretKey : MaskDetector.SecretField;
        var fallback = kind == SecretKeyKind.Password ? MaskDetector.ConnectionPassword : MaskDetector.SecretField;
        var detector = Profile.StrategyFor(preferred) is not null ? preferred : fallback;
        return Profile.StrategyFor(detector) is { } strategy
            ? new Imposed(strategy, MaskDetectors.MarkerOf(detector), MaskDetectors.NameOf(detector))
            : null;
    }
}
