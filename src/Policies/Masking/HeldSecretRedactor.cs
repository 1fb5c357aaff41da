using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Removes the secrets the gateway holds (backend passwords, bearer tokens, API-key header values) from text
/// that a backend sends back, whatever spelling they come in: raw and in any letter case; Base64 (standard or
/// URL-safe alphabet, with or without padding, also inside a longer Base64 string such as an HTTP Basic
/// credential); percent-encoded; JSON-escaped; hex, plain or with separated bytes (see <see cref="SecretVariants"/>);
/// any of these broken over lines, as MIME and PEM wrap Base64 (<see cref="WrappedSpellings"/>); and any of
/// these written with HTML or XML character references (<see cref="EntitySpellings"/>). Each stretch of text that
/// holds one, line breaks and references included, is replaced by <see cref="Placeholder"/>.
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads: when secrets change the host builds a new instance
/// (<see cref="WithRotation"/>) and swaps it in atomically. A value that has been rotated out is still redacted
/// for a while, because a backend can echo it after the change. <see cref="ToString"/> never shows a value.
/// Spellings that stay out of reach (a secret split, reversed, hashed, compressed or otherwise transformed by the
/// backend) are listed in the README.
/// </remarks>
public sealed partial class HeldSecretRedactor
{
    /// <summary>What replaces each stretch of text that holds a secret, in any of its spellings.</summary>
    public const string Placeholder = "[REDACTED]";

    /// <summary>
    /// Values with fewer characters than this (not counting surrounding white space) are not held: redacting
    /// every occurrence of two or three characters would destroy the output, and such a value is no secret.
    /// </summary>
    public const int MinimumSecretLength = 4;

    // Every held value: null while it is current, or the instant after which a rotated-out value is dropped.
    private readonly FrozenDictionary<string, DateTimeOffset?> _held;

    // Null when nothing is held; otherwise every literal spelling of every held value.
    private readonly HeldSpellings? _spellings;

    // The most characters a match can have in text decoded from character references.
    private readonly int _decodedReach;

    /// <summary>Holds <paramref name="secrets"/>, the raw values, as current; null, blank and short values are skipped.</summary>
    public HeldSecretRedactor(IEnumerable<string> secrets)
        : this(Current(secrets))
    {
    }

    private HeldSecretRedactor(Dictionary<string, DateTimeOffset?> held)
    {
        _held = held.ToFrozenDictionary(StringComparer.Ordinal);
        _spellings = HeldSpellings.Of(held.Keys);
        if (_spellings is not null)
        {
            _decodedReach = Math.Max(_spellings.LongestLiteral, WrappedSpellings.LongestSpan(_spellings.LongestJoinable));
            LongestSpelling = EntitySpellings.MaximumReferenceLength * _decodedReach;
        }
    }

    /// <summary>A redactor that holds nothing and returns every text unchanged.</summary>
    public static HeldSecretRedactor Empty { get; } = new(Array.Empty<string>());

    /// <summary>How many distinct values are held, current and rotated out.</summary>
    public int SecretCount => _held.Count;

    /// <summary>
    /// The most characters one match can take up (the longest spelling, broken over lines and written with
    /// character references at the most). Text cut from a longer stream must drop its last
    /// <c>LongestSpelling - 1</c> characters after redaction: they may start a secret that the cut
    /// left incomplete, which no spelling matches.
    /// </summary>
    public int LongestSpelling { get; }

    /// <summary>
    /// The earliest instant at which a rotated-out value may be dropped, or null when every value is current.
    /// Values are dropped only when a new instance is built, so the host calls <see cref="WithRotation"/> again
    /// at this time (until then the value stays redacted, which fails safe).
    /// </summary>
    public DateTimeOffset? NextExpiry => _held.Values.Where(until => until is not null).Min();

    /// <summary>
    /// Returns <paramref name="text"/> with every stretch that holds a secret, in any spelling, replaced by
    /// <see cref="Placeholder"/>. When two matches overlap (two secrets, or two spellings), the stretch they cover
    /// together is replaced once, so the longest match wins and no part of either survives. Returns the same
    /// instance, without allocating, when the text holds no secret.
    /// </summary>
    public string Redact(string text) => Redact(text, out _);

    /// <summary>As <see cref="Redact(string)"/>, and says how many stretches were replaced.</summary>
    internal string Redact(string text, out int count)
    {
        ArgumentNullException.ThrowIfNull(text);
        count = 0;
        var found = Find(text);
        if (found is null)
        {
            return text;
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var redacted = new StringBuilder(text.Length);
        var copied = 0;
        for (var i = 0; i < found.Count;)
        {
            var (start, end) = found[i];

            // Matches that start inside this one and reach past it join it; the first that starts after it is next.
            for (i++; i < found.Count && found[i].Start < end; i++)
            {
                end = Math.Max(end, found[i].End);
            }

            redacted.Append(text, copied, start - copied).Append(Placeholder);
            copied = end;
            count++;
        }

        return redacted.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>Whether <paramref name="text"/> holds any held secret in any spelling.</summary>
    public bool ContainsSecret(ReadOnlySpan<char> text) => Find(text) is not null;

    /// <summary>
    /// A redactor that holds <paramref name="current"/> and, besides, each value of this one that is no longer
    /// current, until <paramref name="keepPrevious"/> after the moment it was first rotated out (a shorter
    /// <paramref name="keepPrevious"/> than before shortens what is left). Values whose time is up are dropped.
    /// Returns this instance when nothing changes, so calling it again on a timer costs nothing.
    /// </summary>
    public HeldSecretRedactor WithRotation(IEnumerable<string> current, TimeSpan keepPrevious, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepPrevious, TimeSpan.Zero);
        var held = Current(current);
        var now = time.GetUtcNow();
        var latest = now + keepPrevious;
        foreach (var (value, retainedUntil) in _held)
        {
            if (held.ContainsKey(value))
            {
                continue;
            }

            var until = retainedUntil is { } earlier && earlier < latest ? earlier : latest;
            if (until > now)
            {
                held.Add(value, until);
            }
        }

        return IsSameAs(held) ? this : new HeldSecretRedactor(held);
    }

    /// <summary>Describes the redactor without showing any value.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{nameof(HeldSecretRedactor)} ({SecretCount} held, {_held.Values.Count(until => until is not null)} rotated out)");

    private static Dictionary<string, DateTimeOffset?> Current(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var held = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            if (secret is not null && secret.AsSpan().Trim().Length >= MinimumSecretLength)
            {
                held[secret] = null;
            }
        }

        return held;
    }

    private bool IsSameAs(Dictionary<string, DateTimeOffset?> held)
        => held.Count == _held.Count && held.All(entry => _held.TryGetValue(entry.Key, out var until) && until == entry.Value);

    // Every stretch that holds a spelling, in no order and possibly overlapping; null when there is none.
    private List<Stretch>? Find(ReadOnlySpan<char> text)
    {
        if (_spellings is null)
        {
            return null;
        }

        List<Stretch>? found = null;
        _spellings.Find(text, ref found);
        WrappedSpellings.Find(text, _spellings, ref found);
        EntitySpellings.Find(text, _spellings, _decodedReach, ref found);
        return found;
    }
}
