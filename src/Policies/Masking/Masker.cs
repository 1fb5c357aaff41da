using System.Text;
using McpGateway.Policies.Masking.Detection;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Masks what leaves the gateway — JSON results, tables, free text — with one profile (a union when a call
/// names several) and the held-secret redactor, which always runs first. Pure: no I/O, no clock, no state
/// between calls; immutable and safe to share. Any failure throws <see cref="MaskingException"/>, and then
/// nothing of the input may be passed on.
/// </summary>
public sealed partial class Masker
{
    /// <summary>The deepest JSON nesting masked; a deeper tree is refused (<see cref="MaskingException"/>).</summary>
    public const int MaxDepth = 256;

    private readonly HeldSecretRedactor _held;
    private readonly MaskingToken? _token;

    /// <summary>
    /// A masker for <paramref name="profile"/> that also redacts <paramref name="heldSecrets"/>.
    /// <paramref name="tokenKey"/> (the bytes of <c>McpGateway:Masking:TokenKey</c>) is required, at least
    /// sixteen bytes, when the profile uses deterministic tokens.
    /// </summary>
    public Masker(MaskingProfile profile, HeldSecretRedactor? heldSecrets = null, ReadOnlyMemory<byte> tokenKey = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Profile = profile;
        _held = heldSecrets ?? HeldSecretRedactor.Empty;
        if (tokenKey.Length >= MaskingToken.MinimumKeyBytes)
        {
            _token = new MaskingToken(tokenKey.Span);
        }
        else if (profile.UsesTokens)
        {
            throw new MaskingException($"Masking profile '{profile.Name}' uses deterministic tokens, and no token key of at least {MaskingToken.MinimumKeyBytes} bytes is configured ({MaskingCatalog.TokenKeyName}).");
        }
    }

    /// <summary>The profile applied.</summary>
    public MaskingProfile Profile { get; }

    /// <summary>
    /// Returns <paramref name="text"/> masked: held secrets redacted, then every value of the profile's detectors
    /// replaced as its strategy says. Returns the same instance when nothing was masked. Counts go to
    /// <paramref name="report"/>.
    /// </summary>
    public string MaskText(string text, MaskingReport? report = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return MaskString(text, report, null, out _);
        }
        catch (Exception ex) when (ex is not MaskingException)
        {
            throw Failed(ex);
        }
    }

    public override string ToString() => $"{nameof(Masker)} ({Profile.Name})";

    private static MaskingException Failed(Exception ex) => new("Masking failed, so the value is withheld.", ex);

    // The masked text; wholeNull when one value covering all of it was masked with the null strategy.
    private string MaskString(string text, MaskingReport? report, Func<string>? location, out bool wholeNull)
    {
        wholeNull = false;
        var held = _held.Redact(text, out var heldCount);
        if (heldCount > 0)
        {
            report?.AddHeld(heldCount, location);
        }

        var findings = Profile.Scanner.Scan(held);
        if (findings is null)
        {
            return held;
        }

        var masked = new StringBuilder(held.Length);
        var copied = 0;
        var last = MaskStrategy.Partial;
        foreach (var finding in findings)
        {
            // Values that overlapped were joined: none of them may show through a partial or a token.
            last = Profile.StrategyFor(finding.Detector) ?? MaskStrategy.Redact;
            last = finding.Joined ? MaskStrategies.Strictest(last, MaskStrategy.Redact) : last;
            masked.Append(held, copied, finding.Start - copied);
            Append(masked, last, MaskDetectors.MarkerOf(finding.Detector), held.AsSpan(finding.Start, finding.Length));
            report?.Add(MaskDetectors.NameOf(finding.Detector), last, location, finding.Start, finding.Length);
            copied = finding.End;
        }

        masked.Append(held, copied, held.Length - copied);
        wholeNull = last == MaskStrategy.Null && findings.Count == 1 && findings[0].Length == held.Length;
        return masked.ToString();
    }

    private void Append(StringBuilder masked, MaskStrategy strategy, string marker, ReadOnlySpan<char> value)
    {
        switch (strategy)
        {
            case MaskStrategy.Partial when value.Length >= 8:
                masked.Append("****").Append(value[^4..]);
                break;
            case MaskStrategy.Token:
                masked.Append(Token(value));
                break;
            case MaskStrategy.Null:
                // In text a value cannot be removed without its surroundings reading as another value.
                masked.Append("null");
                break;
            default:
                masked.Append(marker);
                break;
        }
    }

    private string Token(ReadOnlySpan<char> value) =>
        (_token ?? throw new MaskingException($"Masking profile '{Profile.Name}' needs the token key ({MaskingCatalog.TokenKeyName}).")).For(value);
}
