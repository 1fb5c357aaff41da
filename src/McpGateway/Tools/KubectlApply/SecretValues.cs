using System.Text;
using System.Text.Json;
using McpGateway.Policies.Classifiers.Kubernetes;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// The values of the Secrets a call applies (<c>data</c> as written and decoded, <c>stringData</c>
/// as written and Base64-encoded), to take out of anything the API server says back — its error
/// messages may quote a field's value. Results never carry objects' bodies; this covers the
/// server's words. Values shorter than <see cref="MinLength"/> characters cannot be told apart
/// from ordinary text and are not searched for.
/// </summary>
internal sealed class SecretValues
{
    public const int MinLength = 3;
    private const string Placeholder = "[REDACTED]";

    private readonly string[] _values;

    private SecretValues(IEnumerable<string> values)
    {
        _values = [.. values.Where(v => v.Length >= MinLength).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];
    }

    public static SecretValues Of(IEnumerable<KubernetesObject> objects)
    {
        var values = new List<string>();
        foreach (var obj in objects.Where(IsSecret))
        {
            foreach (var (field, value) in Entries(obj.Body))
            {
                values.Add(value);
                if (field == "data")
                {
                    if (TryDecode(value) is { } decoded)
                    {
                        values.Add(decoded);
                    }
                }
                else
                {
                    values.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
                }
            }
        }

        return new SecretValues(values);
    }

    public static bool IsSecret(KubernetesObject obj) => obj.Group.Length == 0 && obj.Kind == "Secret";

    /// <summary>Every <c>data</c> and <c>stringData</c> entry of a Secret body, as (field, value) with the value as written.</summary>
    public static IEnumerable<(string Field, string Value)> Entries(JsonElement body)
    {
        foreach (var field in new[] { "data", "stringData" })
        {
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty(field, out var map) && map.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in map.EnumerateObject())
                {
                    yield return (field, entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText());
                }
            }
        }
    }

    /// <summary><paramref name="text"/> with every Secret value replaced.</summary>
    public string Scrub(string text)
    {
        foreach (var value in _values)
        {
            text = text.Replace(value, Placeholder, StringComparison.Ordinal);
        }

        return text;
    }

    private static string? TryDecode(string base64)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return text.Length > 0 ? text : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
