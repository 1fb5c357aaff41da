using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;
using McpGateway.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpGateway.Tests.Audit.Checkpoints;

/// <summary>A real SQLite chain with signed checkpoints written by the real writer, and the tampering an attacker with the file would do.</summary>
internal sealed class CheckpointFixture : IAsyncDisposable
{
    private CheckpointFixture(TemporaryStore temporary, AuditSigningKey key, AuditOptions options)
    {
        Temporary = temporary;
        Key = key;
        Options = options;
        Writer = new AuditCheckpointWriter(temporary.Store.Audit, key, options, TimeProvider.System, NullLogger<AuditCheckpointWriter>.Instance);
    }

    public TemporaryStore Temporary { get; }

    public AuditSigningKey Key { get; }

    public AuditOptions Options { get; }

    public AuditCheckpointWriter Writer { get; }

    public string LogPath => Options.CheckpointLog;

    /// <summary>Entries 1–5, checkpoint 6 (signs 5), entries 7–11, checkpoint 12 (signs 11), entries 13–14.</summary>
    public static async Task<CheckpointFixture> CreateAsync()
    {
        var temporary = await TemporaryStore.CreateAsync();
        var options = AuditOptions.Default(temporary.Folder) with { CheckpointLog = Path.Combine(Path.GetDirectoryName(temporary.Folder)!, "elsewhere", "checkpoints.jsonl") };
        var key = SigningKeySource.OpenOrCreate(options, temporary.Folder, temporary.Store);
        var fixture = new CheckpointFixture(temporary, key, options);
        await fixture.AppendAsync(5);
        await fixture.CheckpointAsync();
        await fixture.AppendAsync(5);
        await fixture.CheckpointAsync();
        await fixture.AppendAsync(2);
        return fixture;
    }

    public async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Temporary.Store.Audit.AppendAsync(new AuditAppend("call.started", new AuditIds($"c{i}", "s", null, "agent"), new JsonObject { ["tool"] = "http_call", ["n"] = i }), CancellationToken.None);
        }
    }

    public async Task<CheckpointAnchor> CheckpointAsync()
    {
        await Writer.RefreshAsync(CancellationToken.None);
        return (await Writer.TakeAsync(CancellationToken.None))!;
    }

    public CheckpointKeys Keys() => new CheckpointKeys().Add(CheckpointPublicKey.FromPem(Key.PublicKey.Pem, "test"));

    public async Task<AuditVerification> VerifyAsync(bool anchored = true, CheckpointKeys? keys = null)
    {
        using var trusted = keys ?? Keys();
        var anchor = anchored ? CheckpointLog.Read(LogPath) : null;
        return await AuditVerifier.VerifyAsync(Temporary.Store.Audit, new AuditVerifyOptions(trusted, anchor), CancellationToken.None);
    }

    /// <summary>
    /// What an attacker who can write the file but not sign does: changes entry <paramref name="seq"/>'s
    /// payload and recomputes its hashes and every hash after it, so every link holds again.
    /// </summary>
    public async Task RewriteAsync(long seq, Func<JsonObject, JsonObject> change)
    {
        var entries = await Temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        var previous = entries.Single(e => e.Seq == seq - 1).EntryHash;
        foreach (var entry in entries.Where(e => e.Seq >= seq))
        {
            var payload = entry.Payload!;
            if (entry.Seq == seq)
            {
                payload = AuditChain.PayloadText(change((JsonObject)JsonNode.Parse(payload)!));
            }

            var payloadHash = AuditChain.HashText(payload);
            var hash = AuditChain.EntryHash(entry.Seq, entry.Timestamp, entry.Type, entry.Ids, previous, payloadHash);
            Temporary.Execute($"UPDATE audit_entries SET payload = '{payload.Replace("'", "''", StringComparison.Ordinal)}', payload_hash = '{payloadHash}', prev_hash = '{previous}', entry_hash = '{hash}' WHERE seq = {entry.Seq};");
            previous = hash;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Key.Dispose();
        await Temporary.DisposeAsync();
    }
}
