using McpGateway.Configuration;
using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Builds the pooled <see cref="NpgsqlDataSource"/> of one connection. Nothing connects here. Each
/// new physical connection reads the password when it opens (so a rotated credential file is used
/// by the next connection), is checked for a privileged role, and starts with the connection's
/// search path and <c>standard_conforming_strings</c> on, which PostgreSQL restores whenever the
/// pool resets the session (<c>DISCARD ALL</c>) between calls.
/// </summary>
internal static class PostgresDataSources
{
    /// <summary>Connections older than this are closed when they return to the pool, so one opened with a rotated password does not outlive it by long.</summary>
    internal static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(1);

    public static NpgsqlDataSource Create(PostgresTargetOptions options, HeldSecrets secrets)
    {
        var builder = new NpgsqlDataSourceBuilder
        {
            ConnectionStringBuilder =
            {
                Host = options.Host,
                Port = options.Port,
                Database = options.Database,
                Username = options.Username,
                SslMode = Enum.Parse<SslMode>(options.SslMode),
                RootCertificate = options.RootCertificate,
                SearchPath = string.Join(", ", options.SearchPath.Select(s => $"\"{s}\"")),
                Options = "-c standard_conforming_strings=on",
                ApplicationName = "mcp-gateway",
                Pooling = true,
                MaxPoolSize = options.MaxPoolSize,
                ConnectionLifetime = (int)ConnectionLifetime.TotalSeconds,
                ConnectionIdleLifetime = 60,
                Timeout = 10,
                CommandTimeout = 0,
                CancellationTimeout = 2000,
                NoResetOnClose = false,
                MaxAutoPrepare = 0,
                IncludeErrorDetail = false,
                ArrayNullabilityMode = ArrayNullabilityMode.PerInstance,
            },
        };
        builder.ConnectionStringBuilder.Remove("Password");
        builder.UsePasswordProvider(
            _ => Password(options, secrets),
            (_, _) => ValueTask.FromResult(Password(options, secrets)));
        var check = new PostgresRoleCheck(options);
        builder.UsePhysicalConnectionInitializer(check.Run, check.RunAsync);
        return builder.Build();
    }

    private static string Password(PostgresTargetOptions options, HeldSecrets secrets)
    {
        try
        {
            return secrets.Use(options.Password);
        }
        catch (SecretUnavailableException ex)
        {
            throw new PostgresConnectionRefusedException($"The gateway's password for connection '{options.Name}' is not available ({ex.Message}), so nothing was run. An operator must fix the gateway's configuration.", ex);
        }
    }
}

/// <summary>A connection was not opened or not used, for a reason an operator must fix; the message says which and never holds a secret.</summary>
internal sealed class PostgresConnectionRefusedException : Exception
{
    public PostgresConnectionRefusedException()
    {
    }

    public PostgresConnectionRefusedException(string message)
        : base(message)
    {
    }

    public PostgresConnectionRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
