using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using McpGateway.Audit;
using McpGateway.Configuration;
using McpGateway.Policies.Text;

namespace McpGateway.Tests.Audit;

/// <summary>Whatever text an agent or a backend controls, the call is recorded and the chain verifies.</summary>
public sealed class RecordableJsonTests
{
    private static readonly string[] Pieces =
    [
        "a", "Z", " ", "\"", "\\", "\n", "\r", "\0", "\u001b", "\u007f", "\ud800", "\udbff", "\udc00", "\udfff",
        "\ud83d\ude00", "e\u0301", "\u200d", "\ufffd", "\u2028", "\udc00\ud800", "中", "[REDACTED]",
    ];

    private static Arbitrary<string> Hostile { get; } =
        Gen.Frequency((3, Gen.Elements(Pieces)), (1, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())))
            .ArrayOf()
            .Select(parts => string.Concat(parts))
            .ToArbitrary();

    [Fact]
    public async Task An_excerpt_cut_inside_a_surrogate_pair_is_still_recorded()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        var recorder = new AuditRecorder(temporary.Store.Audit, new HeldSecrets(TimeProvider.System));
        var result = new string('x', 2047) + "\ud83d\ude00 and more";

        await recorder.RecordAsync(Finished(TextCut.ToChars(result, 2048)), CancellationToken.None);
        await recorder.RecordAsync(Finished(result[..2048]), CancellationToken.None);

        var entries = await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        entries.Should().HaveCount(2);
        entries[1].Payload.Should().Contain("\ufffd", "a lone surrogate is recorded as U+FFFD, not refused");
        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Theory]
    [InlineData("""{"a\ud800": "\udc00x", "n": 1e400, "m": -1e999}""")]
    [InlineData("""{"\ud800": 1e400}""")]
    [InlineData("""{"a": 1, "a": 2, "\ud800": 3, "\udbff": 4}""")]
    [InlineData("""{"k\"\ud800\":": ["\ud800\\", {"\udfff": null}]}""")]
    public void Arguments_canonical_json_cannot_hold_are_sanitised_not_dropped(string json)
    {
        using var document = JsonDocument.Parse(json);

        var sanitised = RecordableJson.Sanitize(document.RootElement);
        var canonical = CanonicalJson.SerializeToString(sanitised);

        canonical.Should().Contain("\ufffd");
        (sanitised as JsonObject)!.Count.Should().Be(document.RootElement.EnumerateObject().Count(), "no member is lost");
    }

    [Fact]
    public void Any_string_anywhere_in_a_payload_can_be_recorded()
    {
        Prop.ForAll(Hostile, Hostile, (key, value) =>
        {
            var payload = new JsonObject
            {
                ["resultExcerpt"] = TextCut.ToChars(value, 7),
                ["raw"] = value,
                ["client"] = new JsonObject { ["name"] = value, [key] = key },
                ["list"] = new JsonArray(value, key),
            };
            var raw = JsonSerializer.Serialize(new Dictionary<string, string> { [key] = value });
            using var arguments = JsonDocument.Parse(raw);
            payload["arguments"] = RecordableJson.Sanitize(arguments.RootElement);

            return CanonicalJson.Serialize(RecordableJson.Sanitize(payload)).Length > 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public async Task The_recorder_records_any_agent_text_and_the_chain_verifies()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        var recorder = new AuditRecorder(temporary.Store.Audit, new HeldSecrets(TimeProvider.System));
        var recorded = 0;

        Prop.ForAll(Hostile, Hostile, (key, value) =>
        {
            var payload = new JsonObject
            {
                ["resultExcerpt"] = value,
                ["client"] = new JsonObject { ["name"] = key, ["version"] = value },
                [key] = value,
            };
            recorder.RecordAsync(new AuditAppend(AuditEventTypes.CallFinished, new AuditIds("c" + recorded), payload), CancellationToken.None).GetAwaiter().GetResult();
            recorded++;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150));

        var entries = await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        entries.Should().HaveCount(recorded).And.OnlyContain(e => e.PayloadJson() != null);
        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    private static AuditAppend Finished(string excerpt) =>
        new(AuditEventTypes.CallFinished, new AuditIds("c1"), new JsonObject { ["outcome"] = "ok", ["resultExcerpt"] = excerpt });
}
