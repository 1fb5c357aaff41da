using McpGateway.Configuration;
using McpGateway.Policies;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Reads <c>Targets:Postgres</c>: where each connection is, the role it logs in as (its password
/// a secret reference), TLS, the search path, and whether a privileged role is allowed. Makes one
/// pooled <see cref="NpgsqlDataSource"/> per connection, without connecting.
/// </summary>
internal sealed class PostgresTargetReader : ITargetKind
{
    internal const int DefaultPort = 5432;
    internal const int DefaultMaxPoolSize = 10;

    private static readonly string[] KnownKeys =
        ["Host", "Port", "Database", "Username", "Password", "SslMode", "RootCertificate", "SearchPath", "AllowPrivilegedRole", "MaxPoolSize"];

    public string Kind => TargetKinds.Postgres;

    public IEnumerable<ConfiguredTarget> Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        var result = new List<ConfiguredTarget>();
        foreach (var connection in section.GetChildren())
        {
            var before = errors.Count;
            if (!IdentityReader.IsName(connection.Key))
            {
                errors.Add($"{connection.Path}: connection names use letters, digits, '-', '_' and '.'.");
            }

            foreach (var unknown in connection.GetChildren().Where(c => !KnownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{unknown.Path}: unknown setting; a PostgreSQL connection has {string.Join(", ", KnownKeys)}.");
            }

            var host = Required(connection, "Host", "the server's host name or address, such as 127.0.0.1", errors);
            var database = Required(connection, "Database", "the database name, such as orders", errors);
            var username = Required(connection, "Username", "the role the gateway logs in as; give it only the privileges agents need", errors);
            var port = Number(connection, "Port", DefaultPort, 1, 65535, errors);
            var maxPool = Number(connection, "MaxPoolSize", DefaultMaxPoolSize, 1, 1000, errors);
            var password = SecretReference.Read(connection.GetSection("Password"), baseDirectory, errors);

            var sslMode = ReadSslMode(connection, errors);
            var rootCertificate = ReadRootCertificate(connection, baseDirectory, errors);
            var searchPath = ReadSearchPath(connection, errors);
            var allowPrivileged = false;
            if (connection["AllowPrivilegedRole"] is { Length: > 0 } flag && !bool.TryParse(flag, out allowPrivileged))
            {
                errors.Add($"{connection.Path}:AllowPrivilegedRole: '{flag}' is not true or false.");
            }

            if (errors.Count == before && host is not null && database is not null && username is not null && password is not null)
            {
                result.Add(new PostgresTargetOptions(connection.Key, host, port, database, username, password, sslMode, rootCertificate, searchPath, allowPrivileged, maxPool));
            }
        }

        return result;
    }

    /// <summary>The connection's pooled data source; nothing connects until a call needs it.</summary>
    public object? CreateClient(ConfiguredTarget target, HeldSecrets secrets) =>
        target is PostgresTargetOptions options ? PostgresDataSources.Create(options, secrets) : null;

    private static string? Required(IConfigurationSection connection, string key, string help, List<string> errors)
    {
        var value = connection[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{connection.Path}:{key}: required; {help}.");
            return null;
        }

        if (value.Any(char.IsControl))
        {
            errors.Add($"{connection.Path}:{key}: may not contain control characters.");
            return null;
        }

        return value.Trim();
    }

    private static int Number(IConfigurationSection connection, string key, int fallback, int min, int max, List<string> errors)
    {
        if (connection[key] is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add($"{connection.Path}:{key}: '{text}' is not a whole number from {min} to {max}.");
        return fallback;
    }

    private static string ReadSslMode(IConfigurationSection connection, List<string> errors)
    {
        var text = connection["SslMode"];
        if (string.IsNullOrEmpty(text))
        {
            return nameof(SslMode.Prefer);
        }

        if (Enum.TryParse<SslMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !text.Any(char.IsDigit))
        {
            return mode.ToString();
        }

        errors.Add($"{connection.Path}:SslMode: '{text}' is not one of {string.Join(", ", Enum.GetNames<SslMode>())}.");
        return nameof(SslMode.Prefer);
    }

    private static string? ReadRootCertificate(IConfigurationSection connection, string baseDirectory, List<string> errors)
    {
        if (connection["RootCertificate"] is not { Length: > 0 } path)
        {
            return null;
        }

        var full = Path.GetFullPath(path, baseDirectory);
        if (!File.Exists(full))
        {
            errors.Add($"{connection.Path}:RootCertificate: file '{full}' does not exist; give the PEM file of the certificate authority that signed the server's certificate.");
            return null;
        }

        return full;
    }

    /// <summary>Schema names, comma-separated or as a list; plain identifiers only, folded to lower case as PostgreSQL folds them.</summary>
    private static IReadOnlyList<string> ReadSearchPath(IConfigurationSection connection, List<string> errors)
    {
        var section = connection.GetSection("SearchPath");
        var items = section.Value is { } single
            ? single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [.. section.GetChildren().Select(c => (c.Value ?? string.Empty).Trim())];
        if (items.Length == 0)
        {
            return PostgresTargetInfo.DefaultSearchPath;
        }

        var schemas = new List<string>();
        foreach (var item in items)
        {
            if (item.Length is 0 or > 63 || !(char.IsAsciiLetter(item[0]) || item[0] == '_') || !item.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$'))
            {
                errors.Add($"{section.Path}: '{item}' is not a plain schema name (letters, digits, '_' and '$', starting with a letter or '_'), such as public or sales.");
                continue;
            }

            schemas.Add(item.ToLowerInvariant());
        }

        return schemas.Count == 0 ? PostgresTargetInfo.DefaultSearchPath : schemas.Distinct(StringComparer.Ordinal).ToArray();
    }
}
