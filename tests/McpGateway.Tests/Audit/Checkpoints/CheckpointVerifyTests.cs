using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;

namespace McpGateway.Tests.Audit.Checkpoints;

/// <summary>Tampering a hash chain alone cannot show is caught by the signed checkpoints and the checkpoint log.</summary>
public sealed class CheckpointVerifyTests
{
    [Fact]
    public async Task An_intact_chain_verifies_and_says_what_it_cannot_prove()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        var anchored = await fixture.VerifyAsync();
        var unanchored = await fixture.VerifyAsync(anchored: false);

        anchored.Intact.Should().BeTrue(anchored.Problem);
        anchored.Checkpoints.Should().Be(2);
        anchored.SignedThrough.Should().Be(11);
        anchored.UnsignedThrough.Should().Be(14);
        anchored.AnchoredThrough.Should().Be(12);
        unanchored.Intact.Should().BeTrue();
        unanchored.AnchoredThrough.Should().BeNull("without an anchor, a cut-off end cannot be detected");
        File.ReadAllLines(fixture.LogPath).Should().HaveCount(2);
    }

    [Fact]
    public async Task Removing_the_newest_entries_is_caught_against_the_checkpoint_log_only()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        fixture.Temporary.Execute("DELETE FROM audit_entries WHERE seq >= 9;");
        var anchored = await fixture.VerifyAsync();
        var unanchored = await fixture.VerifyAsync(anchored: false);

        anchored.Intact.Should().BeFalse();
        anchored.FirstBad.Should().Be(9);
        anchored.Problem.Should().Contain("ends at entry 8, before the newest anchored checkpoint (entry 12").And.Contain("entries 9–12 were removed");
        unanchored.Intact.Should().BeTrue("the chain that is left is consistent: only the anchor shows its end is missing");
    }

    [Fact]
    public async Task Removing_the_newest_entries_and_the_log_lines_that_anchor_them_leaves_only_the_older_anchor()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        fixture.Temporary.Execute("DELETE FROM audit_entries WHERE seq >= 9;");
        File.WriteAllLines(fixture.LogPath, File.ReadAllLines(fixture.LogPath).Take(1));
        var result = await fixture.VerifyAsync();

        result.Intact.Should().BeTrue("whoever can rewrite both the store and the log can cut both back: the log belongs on other storage");
        result.AnchoredThrough.Should().Be(6);
    }

    [Fact]
    public async Task A_line_removed_from_the_middle_of_the_log_is_detected()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();
        await fixture.AppendAsync(1);
        await fixture.CheckpointAsync();

        var lines = File.ReadAllLines(fixture.LogPath);
        File.WriteAllLines(fixture.LogPath, [lines[0], lines[2]]);
        var result = await fixture.VerifyAsync();

        result.FirstBad.Should().Be(12);
        result.Problem.Should().Contain("Checkpoint entry 12 is not in the anchor").And.Contain("lines were removed from the anchor");
    }

    [Fact]
    public async Task A_forged_line_in_the_log_is_refused()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();
        var line = JsonNode.Parse(File.ReadAllLines(fixture.LogPath)[1])!.AsObject();
        line["seq"] = 10;
        File.WriteAllLines(fixture.LogPath, [File.ReadAllLines(fixture.LogPath)[0], line.ToJsonString()]);

        var result = await fixture.VerifyAsync();

        result.Intact.Should().BeFalse();
        result.AnchorProblem.Should().Contain("Line 2 of the anchor").And.Contain("signature does not verify");
    }

    [Fact]
    public async Task An_entry_changed_with_every_later_hash_recomputed_is_caught_by_the_next_checkpoint_signature()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        await fixture.RewriteAsync(8, payload => { payload["tool"] = "nothing-to-see"; return payload; });
        var chainOnly = await fixture.VerifyAsync(anchored: false);

        chainOnly.Intact.Should().BeFalse("the links hold, but the checkpoint signs the old hash of entry 11");
        chainOnly.FirstBad.Should().Be(12);
        chainOnly.Problem.Should().Contain("Checkpoint entry 12 signs entry 11").And.Contain("entries 6–11 were changed and their hashes recomputed");
    }

    [Fact]
    public async Task A_change_after_the_newest_checkpoint_with_hashes_recomputed_is_not_provable_and_verify_says_so()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        await fixture.RewriteAsync(13, payload => { payload["tool"] = "nothing-to-see"; return payload; });
        var result = await fixture.VerifyAsync();

        result.Intact.Should().BeTrue();
        result.SignedThrough.Should().Be(11);
        result.UnsignedThrough.Should().Be(14, "entries 12–14 are reported as not proven");
    }

    [Fact]
    public async Task A_checkpoint_with_an_altered_signature_is_forged()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        await fixture.RewriteAsync(6, payload =>
        {
            var signature = Convert.FromBase64String(payload["signature"]!.GetValue<string>());
            signature[^1] ^= 1;
            payload["signature"] = Convert.ToBase64String(signature);
            return payload;
        });
        var result = await fixture.VerifyAsync(anchored: false);

        result.FirstBad.Should().Be(6);
        result.Problem.Should().Contain("Checkpoint entry 6 is not valid").And.Contain("signature does not verify");
    }

    [Fact]
    public async Task A_checkpoint_whose_signed_seq_was_altered_is_forged()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        await fixture.RewriteAsync(12, payload => { payload["seq"] = 9; payload["entryHash"] = new string('a', 64); return payload; });
        var result = await fixture.VerifyAsync(anchored: false);

        result.FirstBad.Should().Be(12);
        result.Problem.Should().Contain("signature does not verify");
    }

    [Fact]
    public async Task A_checkpoint_signed_with_another_key_is_refused()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();
        using var mallory = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var forger = AuditSigningKey.FromPem(mallory.ExportPkcs8PrivateKeyPem(), "mallory", "mallory", created: false);
        var head = await fixture.Temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).LastAsync();

        var forged = SignedCheckpoint.Sign(new CheckpointStatement(head.Seq, head.EntryHash, DateTimeOffset.UtcNow, forger.KeyId), forger);
        await fixture.Temporary.Store.Audit.AppendAsync(new AuditAppend(AuditEventTypes.AuditCheckpoint, AuditIds.None, forged.ToPayload()), CancellationToken.None);
        var result = await fixture.VerifyAsync(anchored: false);

        result.FirstBad.Should().Be(15);
        result.Problem.Should().Contain($"names key id {forger.KeyId}, which is not a trusted key");
    }

    [Fact]
    public async Task Checkpoints_are_refused_when_there_is_no_key_to_check_them_with()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();

        var result = await AuditVerifier.VerifyAsync(fixture.Temporary.Store.Audit, CancellationToken.None);

        result.FirstBad.Should().Be(6);
        result.Problem.Should().Contain("no public key");
    }

    [Fact]
    public async Task A_checkpoint_the_log_missed_is_copied_into_it_at_the_next_start()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();
        File.WriteAllLines(fixture.LogPath, File.ReadAllLines(fixture.LogPath).Take(1));

        var restarted = new AuditCheckpointWriter(fixture.Temporary.Store.Audit, fixture.Key, fixture.Options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditCheckpointWriter>.Instance);
        await restarted.RefreshAsync(CancellationToken.None);
        restarted.FlushLog();

        File.ReadAllLines(fixture.LogPath).Should().HaveCount(2);
        (await fixture.VerifyAsync()).AnchoredThrough.Should().Be(12);
        restarted.Failure.Should().BeNull();
    }

    [Fact]
    public async Task A_restart_on_a_chain_cut_back_below_the_log_reports_it()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();
        fixture.Temporary.Execute("DELETE FROM audit_entries WHERE seq >= 10;");

        var restarted = new AuditCheckpointWriter(fixture.Temporary.Store.Audit, fixture.Key, fixture.Options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditCheckpointWriter>.Instance);
        await restarted.RefreshAsync(CancellationToken.None);

        restarted.Failure.Should().Contain("before the newest logged checkpoint (entry 12)");
    }
}
