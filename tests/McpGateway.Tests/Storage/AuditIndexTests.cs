using McpGateway.Configuration;
using System.Text.Json.Nodes;
using McpGateway.Audit;

namespace McpGateway.Tests.Storage;

/// <summary>The chain's index: written with each entry (batched or not), and the filters it serves match every entry of a call.</summary>
public class AuditIndexTests
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    [StoreFact]
    public async Task Tool_decision_session_and_approval_filters_return_every_entry_of_the_matching_calls()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        var audit = temporary.Store.Audit;
        await Task.WhenAll(
            CallAsync(audit, "call-sql", "run_sql", "allow", "s-1"),
            CallAsync(audit, "call-http", "http_call", "deny", "s-1"),
            CallAsync(audit, "call-ssh", "ssh_exec", "approval", "s-2", approvalId: "apr_1"));
        await audit.AppendAsync(new AuditAppend(AuditEventTypes.KeyCreated, new AuditIds(null, null, null, "admin"), new JsonObject { ["keyId"] = "k1" }), CancellationToken.None);

        (await CallsAsync(audit, new AuditQuery { Tool = "run_sql" })).Should().Equal("call-sql", "call-sql");
        (await CallsAsync(audit, new AuditQuery { Decision = "deny" })).Should().Equal("call-http", "call-http");
        (await CallsAsync(audit, new AuditQuery { Decision = "approval", Tool = "ssh_exec" })).Should().Equal("call-ssh", "call-ssh");
        (await CallsAsync(audit, new AuditQuery(SessionId: "s-2"))).Should().Equal("call-ssh", "call-ssh");
        (await CallsAsync(audit, new AuditQuery { ApprovalId = "apr_1" })).Should().Equal("call-ssh", "call-ssh");
        (await CallsAsync(audit, new AuditQuery { Tool = "kubectl_apply" })).Should().BeEmpty();
        (await CallsAsync(audit, new AuditQuery { Limit = 2 })).Should().HaveCount(2);
        ScalarCount(temporary, "SELECT COUNT(*) FROM audit_index;").Should().Be(7, "every entry has its index row");
        ScalarCount(temporary, "SELECT COUNT(*) FROM audit_index WHERE tool = 'ssh_exec' AND decision = 'approval';").Should().Be(1);
    }

    private static async Task CallAsync(IAuditStore audit, string callId, string tool, string decision, string session, string? approvalId = null)
    {
        var ids = new AuditIds(callId, session, approvalId, "agent");
        await audit.AppendAsync(new AuditAppend(AuditEventTypes.CallStarted, ids, new JsonObject { ["tool"] = tool, ["target"] = "t", ["decision"] = new JsonObject { ["decision"] = decision } }), CancellationToken.None);
        await audit.AppendAsync(new AuditAppend(AuditEventTypes.CallFinished, ids, new JsonObject { ["tool"] = tool, ["target"] = "t", ["outcome"] = "ok" }), CancellationToken.None);
    }

    private static async Task<List<string?>> CallsAsync(IAuditStore audit, AuditQuery query) =>
        await audit.ReadAsync(query, CancellationToken.None).Select(e => e.Ids.CallId).ToListAsync();

    private static long ScalarCount(TemporaryStore temporary, string sql) => Convert.ToInt64(temporary.Scalar(sql), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresAuditIndexTests : AuditIndexTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
