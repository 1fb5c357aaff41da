using McpGateway.Configuration;
using McpGateway.Policies;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Tools.HttpCall;

/// <summary>Reads <c>Targets:Http</c>: base URL and credentials per service.</summary>
internal sealed class HttpServiceReader : ITargetKind
{
    private static readonly string[] KnownKeys = ["BaseUrl", "Auth", "AllowDeleteBody"];
    private static readonly string[] AuthKinds = ["Bearer", "Basic", "Header"];

    public string Kind => TargetKinds.Http;

    public IEnumerable<ConfiguredTarget> Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        var result = new List<ConfiguredTarget>();
        foreach (var service in section.GetChildren())
        {
            if (!IdentityReader.IsName(service.Key))
            {
                errors.Add($"{service.Path}: service names use letters, digits, '-', '_' and '.'.");
            }

            foreach (var unknown in service.GetChildren().Where(c => !KnownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{unknown.Path}: unknown setting; a service has {string.Join(", ", KnownKeys)}.");
            }

            var baseUrl = ReadBaseUrl(service, errors);
            var auth = ReadAuth(service.GetSection("Auth"), baseDirectory, errors);
            var allowDeleteBody = false;
            if (service["AllowDeleteBody"] is { Length: > 0 } flag && !bool.TryParse(flag, out allowDeleteBody))
            {
                errors.Add($"{service.Path}:AllowDeleteBody: '{flag}' is not true or false.");
            }

            if (baseUrl is not null)
            {
                result.Add(new HttpServiceOptions(service.Key, baseUrl, auth, allowDeleteBody));
            }
        }

        return result;
    }

    private static Uri? ReadBaseUrl(IConfigurationSection service, List<string> errors)
    {
        var text = service["BaseUrl"];
        var path = $"{service.Path}:BaseUrl";
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{path}: required; give the service's absolute base URL such as http://127.0.0.1:8081/.");
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{path}: '{text}' is not an absolute http or https URL.");
            return null;
        }

        if (url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            errors.Add($"{path}: the base URL may not carry credentials, a query or a fragment; put credentials under Auth.");
            return null;
        }

        // Calls are appended to the base path, which always ends with '/'.
        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.GetLeftPart(UriPartial.Path) + "/");
    }

    private static HttpAuthOptions ReadAuth(IConfigurationSection auth, string baseDirectory, List<string> errors)
    {
        var kinds = auth.GetChildren().Select(c => c.Key).ToList();
        foreach (var unknown in kinds.Where(k => !AuthKinds.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{auth.Path}:{unknown}: unknown credential kind; use one of {string.Join(", ", AuthKinds)}.");
        }

        if (kinds.Count > 1)
        {
            errors.Add($"{auth.Path}: give one credential kind, not {string.Join(" and ", kinds)}.");
        }

        if (auth.GetSection("Bearer").Exists())
        {
            return new HttpAuthOptions(SecretReference.Read(auth.GetSection("Bearer"), baseDirectory, errors), null, null, null, null);
        }

        if (auth.GetSection("Basic") is { } basic && basic.Exists())
        {
            var user = basic["Username"];
            if (string.IsNullOrEmpty(user) || user.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"{basic.Path}:Username: required, without ':'.");
            }

            return new HttpAuthOptions(null, user, null, null, null) { BasicPassword = SecretReference.Read(basic.GetSection("Password"), baseDirectory, errors) };
        }

        if (auth.GetSection("Header") is { } header && header.Exists())
        {
            var name = header["Name"];
            if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                errors.Add($"{header.Path}:Name: required; an HTTP header name such as X-Api-Key.");
            }

            return new HttpAuthOptions(null, null, null, name, SecretReference.Read(header.GetSection("Value"), baseDirectory, errors));
        }

        return HttpAuthOptions.None;
    }
}
