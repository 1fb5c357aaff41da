using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Configuration;

namespace McpGateway.Tests.Audit;

public sealed class AuditRecorderTests : IDisposable
{
    private const string Token = "tok-9f8e7d6c5b4a39281706";
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-recorder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Held_secrets_never_reach_the_chain_whatever_their_encoding()
    {
        File.WriteAllText(Path.Combine(_folder, "token"), Token);
        var secrets = new HeldSecrets(TimeProvider.System);
        secrets.Refresh([SecretReference.TryParse("{file:token}", _folder, out _)!]).Should().BeEmpty();
        await using var temporary = await TemporaryStore.CreateAsync();
        var recorder = new AuditRecorder(temporary.Store.Audit, secrets);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:" + Token));

        await recorder.RecordAsync(
            new AuditAppend(AuditEventTypes.CallFinished, new AuditIds("c1"), new JsonObject
            {
                ["result"] = $"upstream said: Authorization: Bearer {Token}",
                ["headers"] = new JsonObject { ["www-authenticate"] = $"Basic {basic}" },
                ["url"] = $"/cb?token={Uri.EscapeDataString(Token)}",
                [Token] = "a secret as a property name",
            }),
            CancellationToken.None);

        var stored = await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).SingleAsync();
        stored.Payload.Should().NotContain(Token).And.NotContain(basic).And.Contain("[REDACTED]");
        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public void An_unreadable_secret_is_reported_by_reference_only()
    {
        var secrets = new HeldSecrets(TimeProvider.System);

        var unreadable = secrets.Refresh([SecretReference.TryParse("{env:MCPGW_TEST_NOT_SET_ANYWHERE}", _folder, out _)!]);

        unreadable.Should().Equal("{env:MCPGW_TEST_NOT_SET_ANYWHERE}");
    }

    [Fact]
    public void A_rotated_secret_stays_redacted_for_a_while()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var path = Path.Combine(_folder, "rotating");
        var reference = SecretReference.TryParse("{file:rotating}", _folder, out _)!;
        var secrets = new HeldSecrets(time, TimeSpan.FromHours(1));
        File.WriteAllText(path, "old-secret-value-1234");
        secrets.Refresh([reference]);

        File.WriteAllText(path, "new-secret-value-5678");
        secrets.Refresh([reference]);
        var soon = secrets.Current.Redact("old-secret-value-1234 new-secret-value-5678");
        time.Advance(TimeSpan.FromHours(2));
        secrets.Refresh([reference]);
        var later = secrets.Current.Redact("old-secret-value-1234");

        soon.Should().NotContain("old-secret").And.NotContain("new-secret");
        later.Should().Be("old-secret-value-1234");
    }
}
