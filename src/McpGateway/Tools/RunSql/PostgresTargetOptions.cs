using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Policies;

namespace McpGateway.Tools.RunSql;

/// <summary>One PostgreSQL connection, <c>Targets:Postgres:&lt;name&gt;</c>.</summary>
/// <param name="Name">The connection's name, as calls and policies give it.</param>
/// <param name="Host">The server's host name or address.</param>
/// <param name="Port">The server's port.</param>
/// <param name="Database">The database to connect to.</param>
/// <param name="Username">The role the gateway logs in as.</param>
/// <param name="Password">The role's password, a secret reference.</param>
/// <param name="SslMode">Npgsql's SSL mode (Disable, Allow, Prefer, Require, VerifyCA, VerifyFull).</param>
/// <param name="RootCertificate">A PEM file of the certificate authority the server's certificate must chain to, or null.</param>
/// <param name="SearchPath">The schemas every connection's search_path is set to, in order, folded to lower case.</param>
/// <param name="AllowPrivilegedRole">The role may be a superuser or hold a server-file role (refused otherwise).</param>
/// <param name="MaxPoolSize">Most connections the gateway keeps open to this database.</param>
public sealed record PostgresTargetOptions(
    string Name,
    string Host,
    int Port,
    string Database,
    string Username,
    SecretReference Password,
    string SslMode,
    string? RootCertificate,
    IReadOnlyList<string> SearchPath,
    bool AllowPrivilegedRole,
    int MaxPoolSize) : ConfiguredTarget(Name)
{
    public override TargetInfo ToPolicyTarget() => new PostgresTargetInfo(Name, SearchPath);

    public override IEnumerable<SecretReference> Secrets => [Password];

    public override JsonObject DescribeConfiguration() => new()
    {
        ["host"] = Host,
        ["port"] = Port,
        ["database"] = Database,
        ["username"] = Username,
        ["password"] = Password.Text,
        ["sslMode"] = SslMode,
        ["rootCertificate"] = RootCertificate,
        ["searchPath"] = new JsonArray([.. SearchPath.Select(s => JsonValue.Create(s))]),
        ["allowPrivilegedRole"] = AllowPrivilegedRole,
        ["maxPoolSize"] = MaxPoolSize,
    };
}
