using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using McpGateway.Policies.Masking;

namespace Policies.Benchmarks.Masking;

/// <summary>
/// The held-secret redactor as it was before spellings in another letter case, broken over lines or written with
/// character references: one case-sensitive search for the literal spellings (raw, Base64, percent-encoded and
/// JSON-escaped with upper- and lower-case hex, hex), measured at each hit by the spellings sharing its first two
/// characters. Kept only to compare the two in one benchmark run.
/// </summary>
internal sealed partial class LiteralRedactor
{
    private readonly SearchValues<string> _search;
    private readonly FrozenDictionary<int, string[]> _byStart;

    public LiteralRedactor(IEnumerable<string> secrets)
    {
        var anyCase = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var spellings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            // Base64 is as it was; the rest is the families it had then, with the hex of escapes in both cases.
            SecretVariants.AddTo(anyCase, spellings, secret);
            var escaped = new HashSet<string>(StringComparer.Ordinal) { secret, secret.Trim() };
            SecretUrlEncodings.AddTo(escaped, secret);
            SecretJsonEncodings.AddTo(escaped, secret);
            if (Encoding.UTF8.GetByteCount(secret) >= SecretVariants.MinimumHexBytes)
            {
                escaped.Add(Convert.ToHexString(Encoding.UTF8.GetBytes(secret)));
            }

            foreach (var spelling in escaped)
            {
                spellings.Add(spelling);
                spellings.Add(Escapes().Replace(spelling, match => match.Value.ToLowerInvariant()));
            }
        }

        _search = SearchValues.Create([.. spellings], StringComparison.Ordinal);
        _byStart = spellings.GroupBy(StartKey).ToFrozenDictionary(group => group.Key, group => group.OrderByDescending(s => s.Length).ToArray());
    }

    public string Redact(string text)
    {
        var span = text.AsSpan();
        var hit = span.IndexOfAny(_search);
        if (hit < 0)
        {
            return text;
        }

        var redacted = new StringBuilder(text.Length);
        var copied = 0;
        while (hit >= 0)
        {
            var start = hit;
            var end = hit + LongestAt(span, hit);
            while (true)
            {
                var next = span[(hit + 1)..].IndexOfAny(_search);
                hit = next < 0 ? -1 : hit + 1 + next;
                if (hit < 0 || hit >= end)
                {
                    break;
                }

                end = Math.Max(end, hit + LongestAt(span, hit));
            }

            redacted.Append(span[copied..start]).Append(HeldSecretRedactor.Placeholder);
            copied = end;
        }

        return redacted.Append(span[copied..]).ToString();
    }

    private static int StartKey(string spelling) => (spelling[0] << 16) | spelling[1];

    private int LongestAt(ReadOnlySpan<char> text, int at)
    {
        var rest = text[at..];
        foreach (var candidate in _byStart[(rest[0] << 16) | rest[1]])
        {
            if (rest.StartsWith(candidate, StringComparison.Ordinal))
            {
                return candidate.Length;
            }
        }

        throw new InvalidOperationException("No spelling matches.");
    }

    [GeneratedRegex(@"%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|^[0-9A-Fa-f]+$")]
    private static partial Regex Escapes();
}
