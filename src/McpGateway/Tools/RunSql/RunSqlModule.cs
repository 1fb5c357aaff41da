using McpGateway.Configuration;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Tools;
using McpGateway.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tools.RunSql;

/// <summary><c>run_sql</c>: one statement per call on registered PostgreSQL connections (<c>Targets:Postgres</c>).</summary>
public sealed class RunSqlModule : IGatewayToolModule
{
    public ToolDescriptor Policy { get; } = RunSqlTool.Create();

    public ITargetKind Targets { get; } = new PostgresTargetReader();

    public ToolDeclaration Describe(IReadOnlyList<string> usableTargets) => RunSqlDeclaration.Describe(usableTargets);

    /// <summary>The statement exactly as it would run, its parameters, kind and whether it only reads (no I/O).</summary>
    public ToolPreview? Preview(object request) => request is SqlStatementRequest sql ? RunSqlPreview.Describe(sql) : null;

    /// <summary>The preview with the statement's facts and PostgreSQL's <c>EXPLAIN</c> estimate (never ANALYZE), from the connection of <paramref name="snapshot"/>.</summary>
    public async ValueTask<ToolPreview?> PreviewAsync(object request, RuntimeSnapshot snapshot, CancellationToken cancellationToken) =>
        request is SqlStatementRequest sql ? await RunSqlPreview.DescribeAsync(sql, snapshot, cancellationToken).ConfigureAwait(false) : null;

    public void AddBackend(IServiceCollection services)
    {
        services.AddSingleton<SqlColumnSources>();
        services.AddSingleton<SqlStatementRunner>();
        services.AddSingleton<Hosting.Mcp.IGatewayResources, PostgresSchemaResource>();
        services.AddToolBackend<SqlStatementRequest, RunSqlBackend>(RunSqlTool.Name);
    }
}
