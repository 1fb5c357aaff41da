using System.Collections.Frozen;

namespace McpGateway.Policies.Masking.Detection;

/// <summary>The check-digit and range rules that tell a card, an IBAN or an SSN from any other number.</summary>
internal static class Checksums
{
    // IBAN length by country (ISO 13616 registry).
    private static readonly FrozenDictionary<string, int> IbanLengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24,
        ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18,
        ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27,
        ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27,
        ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20,
        ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20, ["MR"] = 27,
        ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24, ["PL"] = 28,
        ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24, ["SC"] = 31,
        ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25, ["SV"] = 28,
        ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> IbanLengthLookup =
        IbanLengths.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The IBAN length of the country whose code is <paramref name="country"/>, or 0 when it has none.</summary>
    public static int IbanLength(ReadOnlySpan<char> country) => IbanLengthLookup.TryGetValue(country, out var length) ? length : 0;

    /// <summary>Whether the digits (ASCII, nothing else) pass the Luhn check.</summary>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }

    /// <summary>
    /// Whether the digits have the length and issuer prefix of a payment card network: Visa, Mastercard
    /// (51–55, 2221–2720), American Express, Discover, JCB, Diners Club, UnionPay, Maestro.
    /// </summary>
    public static bool IsCardPrefix(ReadOnlySpan<char> digits)
    {
        var length = digits.Length;
        var two = ((digits[0] - '0') * 10) + (digits[1] - '0');
        var four = (two * 100) + ((digits[2] - '0') * 10) + (digits[3] - '0');
        return digits[0] switch
        {
            '4' => length is 13 or 16 or 19,
            '5' => (two is >= 51 and <= 55 && length == 16) || (two is 50 or (>= 56 and <= 58) && length is >= 12 and <= 19),
            '2' => four is >= 2221 and <= 2720 && length == 16,
            '3' => (two is 34 or 37 && length == 15)
                || (four is >= 3528 and <= 3589 && length is >= 16 and <= 19)
                || ((two is 36 or 38 || four / 10 is >= 300 and <= 305) && length is >= 14 and <= 19),
            '6' => length is >= 16 and <= 19 && (four == 6011 || two is 65 or 62 or 64 or 63 or 67 || four / 10 is >= 644 and <= 649),
            _ => false,
        };
    }

    /// <summary>Whether the digits (ASCII, nothing else) are a card number: issuer prefix, length and Luhn.</summary>
    public static bool IsCard(ReadOnlySpan<char> digits) => digits.Length is >= 12 and <= 19 && IsCardPrefix(digits) && Luhn(digits);

    /// <summary>Whether area, group and serial are in the ranges the SSA issues (area not 000, 666 or 9xx; group not 00; serial not 0000).</summary>
    public static bool IsSsn(int area, int group, int serial) => area is > 0 and < 900 and not 666 && group > 0 && serial > 0;

    /// <summary>
    /// Whether <paramref name="iban"/> (upper-case letters and digits only, spaces removed) has its country's
    /// length and a valid mod-97 check.
    /// </summary>
    public static bool IsIban(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 15 || IbanLength(iban[..2]) != iban.Length || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            return false;
        }

        var remainder = 0;
        for (var n = 0; n < iban.Length; n++)
        {
            var c = iban[(n + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }
}
