namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// The name rules the gateway relies on: every part of an object's API path must be a plain
/// segment, so that the path an object is applied through is the one it was classified for.
/// </summary>
public static class KubernetesNames
{
    /// <summary>Splits <c>v1</c> or <c>group/version</c>; false for anything else.</summary>
    public static bool TryParseApiVersion(string apiVersion, out string group, out string version)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        group = slash < 0 ? string.Empty : apiVersion[..slash];
        version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        return (slash < 0 || IsGroup(group)) && IsVersion(version);
    }

    /// <summary>A DNS subdomain: lower-case labels joined by dots, at most 253 characters.</summary>
    public static bool IsGroup(string group) =>
        group.Length is > 0 and <= 253 && group.Split('.').All(IsLabel);

    /// <summary>A version such as <c>v1</c>, <c>v2beta1</c>, <c>v1alpha3</c>: a DNS label starting with a letter.</summary>
    public static bool IsVersion(string version) =>
        IsLabel(version) && char.IsAsciiLetterLower(version[0]);

    /// <summary>A kind: an ASCII letter, then letters and digits, at most 63 characters.</summary>
    public static bool IsKind(string kind) =>
        kind.Length is > 0 and <= 63 && char.IsAsciiLetter(kind[0]) && kind.All(char.IsAsciiLetterOrDigit);

    /// <summary>A namespace name: a DNS label (RFC 1123).</summary>
    public static bool IsNamespace(string name) => IsLabel(name);

    /// <summary>
    /// An object name the API server accepts as a path segment for every kind: at most 253
    /// characters, not <c>.</c> or <c>..</c>, without '/', '%', whitespace or control characters.
    /// Kinds with stricter rules (most want DNS subdomains) are refused by the server.
    /// </summary>
    public static bool IsObjectName(string name) =>
        name.Length is > 0 and <= 253
        && name is not "." and not ".."
        && !name.Any(c => c is '/' or '%' or '\\' or '?' or '#' || char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c));

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= 63
        && char.IsAsciiLetterLower(label[0]) | char.IsAsciiDigit(label[0])
        && char.IsAsciiLetterLower(label[^1]) | char.IsAsciiDigit(label[^1])
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
