using System.Collections.Frozen;
using McpGateway.Policies;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>
/// Reads and validates the configuration. The JSON file is overridden by environment variables
/// named <c>McpGateway__…</c>; relative paths resolve against the file's folder. Every problem is
/// reported at once.
/// </summary>
public static class ConfigurationLoader
{
    public const string Section = "McpGateway";

    private static readonly string[] KnownKeys = ["DataDirectory", "Policies", "Groups", "Identities", "Targets", "Anonymous", "Http", "Timings", "Approvals", "PublicUrl", "Masking", "Audit", "Store", "Oidc", "Console"];

    /// <summary>
    /// Loads the configuration a verb was given (<c>--config</c>, <c>MCPGW_CONFIG</c>, else the file
    /// beside the app). The file beside the app is refused while it configures no identity: it is
    /// the empty template, and serving or opening a store with it would only create a store
    /// nobody can use, under the home folder.
    /// </summary>
    public static GatewayConfiguration Load(string? commandLinePath)
    {
        var file = ConfigurationLocator.Locate(commandLinePath);
        var configuration = LoadFile(file);
        if (ConfigurationLocator.UsesDefault(commandLinePath) && configuration.Identities.Count == 0)
        {
            throw new ConfigurationException($"Configuration '{file}' is the template beside the app and configures no identities, so there is nothing to serve and no store of keys or audit entries to use.");
        }

        return configuration;
    }

    public static GatewayConfiguration LoadFile(string file)
    {
        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder()
                .AddJsonFile(file, optional: false, reloadOnChange: false)
                .AddEnvironmentVariables()
                .Build();
        }
        catch (Exception ex) when (ex is FormatException or IOException or InvalidDataException)
        {
            if (JsonSyntaxError.Find(ex) is { } syntax)
            {
                throw new ConfigurationException($"Configuration '{file}' is not valid JSON{JsonSyntaxError.Describe(syntax, ReadText(file))}", ex);
            }

            throw new ConfigurationException($"Configuration '{file}' cannot be read: {(ex.InnerException ?? ex).Message}", ex);
        }

        return Read(root.GetSection(Section), file);
    }

    internal static GatewayConfiguration Read(IConfigurationSection section, string file)
    {
        var errors = new List<string>();
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        foreach (var child in section.GetChildren().Where(c => !KnownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{child.Path}: unknown setting; known settings are {string.Join(", ", KnownKeys)}.");
        }

        var dataDirectory = section["DataDirectory"] is { Length: > 0 } data
            ? Path.GetFullPath(data, baseDirectory)
            : DefaultDataDirectory();
        var policies = section["Policies"] is { Length: > 0 } policyPath
            ? Path.GetFullPath(policyPath, baseDirectory)
            : Required(errors, $"{Section}:Policies", "give the policy bundle, a YAML file or a folder of them");

        var groups = ReadGroups(section.GetSection("Groups"));
        var identities = IdentityReader.Read(section.GetSection("Identities"), groups, errors);
        var targets = ReadTargets(section.GetSection("Targets"), baseDirectory, errors);

        var anonymous = ReadAnonymous(section.GetSection("Anonymous"), identities, errors);
        var http = ReadHttp(section.GetSection("Http"), baseDirectory, errors);
        var timings = ReadTimings(section.GetSection("Timings"), errors);
        var approvals = ApprovalOptions.Read(section.GetSection("Approvals"), baseDirectory, errors);
        var publicUrl = ReadPublicUrl(section, errors);
        var tokenKey = ReadMasking(section.GetSection("Masking"), baseDirectory, errors);
        var audit = AuditOptions.Read(section.GetSection("Audit"), baseDirectory, dataDirectory, errors);
        var auditPayloads = ReadAudit(section.GetSection("Audit"), baseDirectory, errors);
        var store = StoreOptions.Read(section.GetSection("Store"), baseDirectory, errors);
        var oidc = OidcOptions.Read(section.GetSection("Oidc"), section.GetSection("Identities"), errors);
        var console = ConsoleOptions.Read(section.GetSection("Console"), errors);
        store.Validate(section.Path, audit, auditPayloads, errors);
        if (errors.Count > 0)
        {
            throw ConfigurationException.FromErrors(file, errors);
        }

        return new GatewayConfiguration
        {
            SourceFile = Path.GetFullPath(file),
            DataDirectory = dataDirectory,
            PoliciesPath = policies,
            Groups = groups,
            Identities = identities,
            Targets = targets,
            Anonymous = anonymous,
            Http = http,
            Timings = timings,
            Approvals = approvals,
            PublicUrl = publicUrl,
            MaskingTokenKey = tokenKey,
            Audit = audit,
            AuditPayloads = auditPayloads,
            Store = store,
            Oidc = oidc,
            Console = console,
        };
    }

    /// <summary><c>Masking:TokenKey</c>: the key of deterministic tokens, a secret reference (profiles themselves are in the bundle).</summary>
    private static SecretReference? ReadMasking(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        foreach (var unknown in section.GetChildren().Where(c => !c.Key.Equals("TokenKey", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; Masking has TokenKey (masking profiles are defined in the policy bundle's 'masking:' section).");
        }

        return section["TokenKey"] is { Length: > 0 }
            ? SecretReference.Read(section.GetSection("TokenKey"), baseDirectory, errors)
            : null;
    }

    /// <summary><c>Audit</c>: payload retention and the request-hash key.</summary>
    private static AuditPayloadOptions ReadAudit(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        string[] known = [.. AuditOptions.Keys, .. AuditPayloadOptions.Keys];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; known settings are {string.Join(", ", known)}.");
        }

        return AuditPayloadOptions.Read(section, baseDirectory, errors);
    }

    private static Uri? ReadPublicUrl(IConfigurationSection section, List<string> errors)
    {
        if (section["PublicUrl"] is not { Length: > 0 } text)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) && url.UserInfo.Length == 0 && url.Query.Length == 0 && url.Fragment.Length == 0)
        {
            return url;
        }

        errors.Add($"{section.Path}:PublicUrl: '{text}' is not an absolute http(s) URL without credentials, query or fragment; give the address operators reach this gateway at, such as https://gateway.example.com/.");
        return null;
    }

    /// <summary>Every target of every kind the registered tools act on; a kind no tool acts on is an error.</summary>
    private static FrozenDictionary<string, FrozenDictionary<string, ConfiguredTarget>> ReadTargets(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        var kinds = global::McpGateway.Tools.GatewayTools.TargetKinds();
        foreach (var kind in section.GetChildren().Where(k => !kinds.ContainsKey(k.Key)))
        {
            errors.Add($"{kind.Path}: target kind '{kind.Key}' is not supported by this version; supported: {string.Join(", ", kinds.Keys.Order(StringComparer.Ordinal))}.");
        }

        return kinds.Values.ToFrozenDictionary(
            kind => kind.Kind,
            kind => kind.Read(section.GetSection(kind.Kind), baseDirectory, errors).ToFrozenDictionary(t => t.Name, StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    private static TimingOptions ReadTimings(IConfigurationSection section, List<string> errors)
    {
        string[] known = ["LeaseMargin", "AbandonedSweep", "ReloadPoll", "ApprovalPoll", "ApprovalProgress", "ApprovalSweep", "AuditRetention"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; known settings are {string.Join(", ", known)}.");
        }

        TimeSpan Read(string key, TimeSpan fallback)
        {
            if (section[key] is not { Length: > 0 } text)
            {
                return fallback;
            }

            if (Policies.Model.DurationText.TryParse(text, out var value) && value > TimeSpan.Zero)
            {
                return value;
            }

            errors.Add($"{section.Path}:{key}: '{text}' is not a positive duration such as 500ms, 30s or 5m.");
            return fallback;
        }

        var defaults = TimingOptions.Default;
        var timings = new TimingOptions(Read("LeaseMargin", defaults.LeaseMargin), Read("AbandonedSweep", defaults.AbandonedSweep), Read("ReloadPoll", defaults.ReloadPoll))
        {
            ApprovalPoll = Read("ApprovalPoll", defaults.ApprovalPoll),
            ApprovalProgress = Read("ApprovalProgress", defaults.ApprovalProgress),
            ApprovalSweep = Read("ApprovalSweep", defaults.ApprovalSweep),
            AuditRetention = Read("AuditRetention", defaults.AuditRetention),
        };
        if (timings.ApprovalProgress > TimeSpan.FromSeconds(10))
        {
            errors.Add($"{section.Path}:ApprovalProgress: at most 10s; clients time out without progress.");
        }

        return timings;
    }

    private static string? ReadText(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>An absolute default, so a client can start the gateway from any folder.</summary>
    public static string DefaultDataDirectory()
    {
        var local = System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData, System.Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "mcp-gateway");
    }

    private static string Required(List<string> errors, string path, string fix)
    {
        errors.Add($"{path}: required; {fix}.");
        return string.Empty;
    }

    private static FrozenDictionary<string, GroupOptions> ReadGroups(IConfigurationSection section) =>
        section.GetChildren()
            .Select(g => new GroupOptions(g.Key, g["ProviderGroupId"] is { Length: > 0 } id ? id : null))
            .ToFrozenDictionary(g => g.Name, StringComparer.Ordinal);

    private static HttpOptions ReadHttp(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        string[] known = ["AllowedHosts", "Certificate", "MaxSessionsPerIdentity"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; known settings are {string.Join(", ", known)}.");
        }

        var hosts = IdentityReader.List(section.GetSection("AllowedHosts"));
        var certificate = section.GetSection("Certificate");
        string? Resolve(string key) => certificate[key] is { Length: > 0 } path ? Path.GetFullPath(path, baseDirectory) : null;
        var (certPath, keyPath) = (Resolve("Path"), Resolve("KeyPath"));
        if ((certPath is null) != (keyPath is null))
        {
            errors.Add($"{certificate.Path}: give both Path (PEM certificate) and KeyPath (PEM private key), or neither.");
        }

        var maxSessions = HttpOptions.DefaultMaxSessionsPerIdentity;
        if (section["MaxSessionsPerIdentity"] is { Length: > 0 } text
            && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out maxSessions) || maxSessions < 1))
        {
            errors.Add($"{section.Path}:MaxSessionsPerIdentity: '{text}' is not a whole number of at least 1.");
        }

        return new HttpOptions(hosts, certPath, keyPath, maxSessions);
    }

    private static AnonymousOptions ReadAnonymous(IConfigurationSection section, FrozenDictionary<string, IdentityInfo> identities, List<string> errors)
    {
        var enabled = false;
        if (section["Enabled"] is { Length: > 0 } text && !bool.TryParse(text, out enabled))
        {
            errors.Add($"{section.Path}:Enabled: '{text}' is not true or false.");
        }

        var identity = section["Identity"] is { Length: > 0 } name ? name : null;
        if (enabled && identity is null)
        {
            errors.Add($"{section.Path}:Identity: required when anonymous access is enabled; name a configured identity.");
        }
        else if (identity is not null && !identities.TryGetValue(identity, out var info))
        {
            errors.Add($"{section.Path}:Identity: unknown identity '{identity}'.");
        }
        else if (identity is not null && identities[identity].Roles.Any(r => r != Roles.Agent))
        {
            errors.Add($"{section.Path}:Identity: the anonymous identity may only hold the agent role, never operator or auditor.");
        }

        return new AnonymousOptions(enabled, identity);
    }
}
