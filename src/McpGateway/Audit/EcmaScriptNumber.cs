using System.Buffers;
using System.Globalization;

namespace McpGateway.Audit;

/// <summary>
/// Numbers as RFC 8785 writes them: the ECMAScript <c>Number.prototype.toString</c> form of the
/// IEEE-754 double (shortest round-trip digits; exponent form below 1e-6 and from 1e21).
/// </summary>
internal static class EcmaScriptNumber
{
    /// <summary>Writes <paramref name="value"/> as ECMAScript's Number.prototype.toString would (ES6 7.1.12.1).</summary>
    public static void Write(ArrayBufferWriter<byte> output, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new FormatException("NaN and infinite numbers are not allowed in I-JSON.");
        }

        if (value == 0)
        {
            CanonicalJson.WriteByte(output, (byte)'0'); // Also for -0.
            return;
        }

        // "R" gives the shortest digits that round-trip, e.g. "-1.2345E-07"; take them apart into
        // digits d1..dk and n such that the value is 0.d1..dk x 10^n.
        Span<char> text = stackalloc char[32];
        value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        text = text[..length];
        var exponentAt = text.IndexOf('E');
        var exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var negative = mantissa[0] == '-';
        if (negative)
        {
            mantissa = mantissa[1..];
        }

        Span<char> digits = stackalloc char[32];
        var count = 0;
        var pointAt = -1;
        foreach (var c in mantissa)
        {
            if (c == '.')
            {
                pointAt = count;
            }
            else
            {
                digits[count++] = c;
            }
        }

        var n = (pointAt < 0 ? count : pointAt) + exponent;
        var start = 0;
        while (digits[start] == '0')
        {
            start++;
            n--;
        }

        while (digits[count - 1] == '0')
        {
            count--;
        }

        WriteDigits(output, negative, digits[start..count], n);
    }

    private static void WriteDigits(ArrayBufferWriter<byte> output, bool negative, ReadOnlySpan<char> digits, int n)
    {
        var k = digits.Length;
        Span<char> result = stackalloc char[48];
        var at = 0;
        if (negative)
        {
            result[at++] = '-';
        }

        if (k <= n && n <= 21)
        {
            Append(result, ref at, digits);
            result.Slice(at, n - k).Fill('0');
            at += n - k;
        }
        else if (0 < n && n <= 21)
        {
            Append(result, ref at, digits[..n]);
            result[at++] = '.';
            Append(result, ref at, digits[n..]);
        }
        else if (-6 < n && n <= 0)
        {
            Append(result, ref at, "0.");
            result.Slice(at, -n).Fill('0');
            at += -n;
            Append(result, ref at, digits);
        }
        else
        {
            result[at++] = digits[0];
            if (k > 1)
            {
                result[at++] = '.';
                Append(result, ref at, digits[1..]);
            }

            result[at++] = 'e';
            result[at++] = n - 1 < 0 ? '-' : '+';
            Math.Abs(n - 1).TryFormat(result[at..], out var written, provider: CultureInfo.InvariantCulture);
            at += written;
        }

        var destination = output.GetSpan(at);
        for (var i = 0; i < at; i++)
        {
            destination[i] = (byte)result[i];
        }

        output.Advance(at);
    }

    private static void Append(Span<char> result, ref int at, ReadOnlySpan<char> text)
    {
        text.CopyTo(result[at..]);
        at += text.Length;
    }
}
