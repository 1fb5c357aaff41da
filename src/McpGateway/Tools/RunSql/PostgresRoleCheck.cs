using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Runs on every new physical connection, before the pool hands it out: refuses a role that is a
/// superuser or a member of a role that reads or writes server files or runs server programs
/// (unless the connection's configuration allows it), so a later <c>GRANT</c> is caught by the
/// next connection; and checks the session is as the classifier assumes (search path,
/// <c>standard_conforming_strings</c>).
/// </summary>
internal sealed class PostgresRoleCheck(PostgresTargetOptions options)
{
    /// <summary>Roles that reach outside the database: a connection holding one can read or write the server's files or run programs on it.</summary>
    internal static readonly string[] ServerRoles = ["pg_read_server_files", "pg_write_server_files", "pg_execute_server_program"];

    private const string Query = """
        SELECT r.rolsuper,
               pg_has_role(current_user, 'pg_read_server_files', 'MEMBER'),
               pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'),
               pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'),
               current_setting('standard_conforming_strings')
        FROM pg_catalog.pg_roles r
        WHERE r.rolname = current_user
        """;

    public void Run(NpgsqlConnection connection) => RunAsync(connection, async: false).GetAwaiter().GetResult();

    public Task RunAsync(NpgsqlConnection connection) => RunAsync(connection, async: true);

    private async Task RunAsync(NpgsqlConnection connection, bool async)
    {
        await using var command = new NpgsqlCommand(Query, connection);
        await using var reader = async ? await command.ExecuteReaderAsync().ConfigureAwait(false) : command.ExecuteReader();
        if (!(async ? await reader.ReadAsync().ConfigureAwait(false) : reader.Read()))
        {
            throw new PostgresConnectionRefusedException($"Connection '{options.Name}': the gateway could not read the privileges of role '{options.Username}', so it does not use the connection.");
        }

        var held = new List<string>();
        if (reader.GetBoolean(0))
        {
            held.Add("is a superuser");
        }

        for (var i = 0; i < ServerRoles.Length; i++)
        {
            if (reader.GetBoolean(i + 1))
            {
                held.Add($"is a member of {ServerRoles[i]}");
            }
        }

        if (held.Count > 0 && !options.AllowPrivilegedRole)
        {
            throw new PostgresConnectionRefusedException(
                $"Connection '{options.Name}' is refused: its role '{options.Username}' {string.Join(" and ", held)}, which reaches beyond the database. An operator must connect with a least-privilege role (or, knowingly, set Targets:Postgres:{options.Name}:AllowPrivilegedRole to true).");
        }

        if (!string.Equals(reader.GetString(4), "on", StringComparison.Ordinal))
        {
            throw new PostgresConnectionRefusedException($"Connection '{options.Name}': standard_conforming_strings is off on the server and could not be turned on, so statements would not be read as the gateway checked them.");
        }
    }
}
