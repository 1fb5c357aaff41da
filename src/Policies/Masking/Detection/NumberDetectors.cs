namespace McpGateway.Policies.Masking.Detection;

/// <summary>
/// Payment cards, SSNs, IBANs and phone numbers, looked for where a digit starts a number. A number glued to
/// letters (a hex id, a UUID part, <c>v2</c>) is skipped whole, except for an IBAN's country code; a number's
/// groups (<c>4111 1111 1111 1111</c>, <c>2024-05-01</c>) are read once and skipped whole, so scanning is linear.
/// </summary>
internal static class NumberDetectors
{
    public static readonly DetectorSet Handled = DetectorSet.Of(MaskDetector.PaymentCard, MaskDetector.UsSsn, MaskDetector.Iban, MaskDetector.Phone);

    private const int MaxGroups = 8;

    // Card layouts written in groups: 4-4-4-4, 4-4-4-4-3, 4-6-5 (American Express), 4-6-4 (Diners Club).
    private static readonly int[][] CardLayouts = [[4, 4, 4, 4], [4, 4, 4, 4, 3], [4, 6, 5], [4, 6, 4]];

    /// <summary>
    /// Where the number holding the run of digits at <paramref name="run"/> starts: back over digits and the
    /// separators between them (<c>415-555-</c>, <c>(415) </c>), and, when letters come before, back to an IBAN's
    /// country code. Never before <paramref name="floor"/>, where scanning already is.
    /// </summary>
    public static int StartOf(ReadOnlySpan<char> text, int run, int floor)
    {
        var limit = Math.Max(floor, run - 48);
        var p = run;
        while (p > limit && char.IsAsciiDigit(text[p - 1]))
        {
            p--;
        }

        // Back one group at a time, over one separator, while the group before is not glued to a word.
        while (p - 2 >= limit)
        {
            var c = text[p - 1];
            var groupEnd = c switch
            {
                ' ' or '-' or '.' or ')' when char.IsAsciiDigit(text[p - 2]) => p - 1,
                ' ' when text[p - 2] == ')' && p - 3 >= limit && char.IsAsciiDigit(text[p - 3]) => p - 2,
                _ => -1,
            };
            if (groupEnd < 0)
            {
                break;
            }

            var group = groupEnd;
            while (group > limit && char.IsAsciiDigit(text[group - 1]))
            {
                group--;
            }

            if (TextClass.IsWordAt(text, group - 1))
            {
                break;
            }

            p = group;
        }

        return IbanStart(text, p, floor) is var iban and >= 0 ? iban : p;
    }

    // When letters and digits in IBAN groups come before p: the first digit of the country's check digits.
    private static int IbanStart(ReadOnlySpan<char> text, int p, int floor)
    {
        var before = TextClass.At(text, p - 1);
        if (!char.IsAsciiLetterUpper(before) && !(before == ' ' && TextClass.UpperAlphanumeric.Contains(TextClass.At(text, p - 2))))
        {
            return -1;
        }

        for (var q = p - 2; q >= Math.Max(floor, p - 40); q--)
        {
            var c = text[q];
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c) && c != ' ')
            {
                return -1;
            }

            if (char.IsAsciiLetterUpper(c) && char.IsAsciiLetterUpper(TextClass.At(text, q + 1)) && TextClass.IsDigitAt(text, q + 2)
                && TextClass.IsDigitAt(text, q + 3) && !TextClass.IsWordAt(text, q - 1))
            {
                return q + 2;
            }
        }

        return -1;
    }

    /// <summary>Looks at the number whose first digit is at <paramref name="i"/>; returns where scanning resumes.</summary>
    public static int Scan(ReadOnlySpan<char> text, int i, DetectorSet enabled, List<Finding> findings)
    {
        var prev = TextClass.At(text, i - 1);
        if (char.IsAsciiLetter(prev) || prev == '_')
        {
            if (enabled.Has(MaskDetector.Iban) && TryIban(text, i - 2, out var ibanEnd))
            {
                findings.Add(new Finding(i - 2, ibanEnd - i + 2, MaskDetector.Iban));
                return ibanEnd;
            }

            return TextClass.EndOfRun(text, i, TextClass.Word);
        }

        var runEnd = TextClass.EndOfDigits(text, i);
        var next = TextClass.At(text, runEnd);
        if (char.IsAsciiLetter(next) || next == '_')
        {
            return TextClass.EndOfRun(text, runEnd, TextClass.Word);
        }

        // A number right after another one's separator ("1.2-415…") continues it: only cards may start there.
        var continues = prev is '.' or '-' && TextClass.IsDigitAt(text, i - 2);
        if (enabled.Has(MaskDetector.Phone) && !continues && TryPhoneAt(text, i, out var phoneStart, out var phoneEnd))
        {
            findings.Add(new Finding(phoneStart, phoneEnd - phoneStart, MaskDetector.Phone));
            return phoneEnd;
        }

        var separatorFollows = next is ' ' or '-' or '.' && TextClass.IsDigitAt(text, runEnd + 1);
        if (!separatorFollows)
        {
            if (enabled.Has(MaskDetector.PaymentCard) && !continues && runEnd - i >= 12 && Checksums.IsCard(text[i..runEnd]))
            {
                findings.Add(new Finding(i, runEnd - i, MaskDetector.PaymentCard));
            }

            return runEnd;
        }

        return ScanGroups(text, i, next, continues, enabled, findings);
    }

    private static int ScanGroups(ReadOnlySpan<char> text, int i, char separator, bool continues, DetectorSet enabled, List<Finding> findings)
    {
        Span<int> starts = stackalloc int[MaxGroups];
        Span<int> lengths = stackalloc int[MaxGroups];
        var count = 0;
        var p = i;
        while (true)
        {
            var end = TextClass.EndOfDigits(text, p);
            starts[count] = p;
            lengths[count] = end - p;
            count++;
            if (count == MaxGroups || TextClass.At(text, end) != separator || !TextClass.IsDigitAt(text, end + 1))
            {
                p = end;
                break;
            }

            p = end + 1;
        }

        // A last group glued to letters ("2024-05-01T10") belongs to a word, not to this number.
        var after = TextClass.At(text, p);
        var resume = p;
        if (char.IsAsciiLetter(after) || after == '_')
        {
            count--;
            resume = TextClass.EndOfRun(text, p, TextClass.Word);
        }

        // More groups after the longest read: the whole thing is some other kind of number.
        var whole = count < MaxGroups && !(after == separator && TextClass.IsDigitAt(text, p + 1));
        if (count >= 2 && whole && !continues && TryExactForms(text, starts[..count], lengths[..count], separator, enabled, out var finding))
        {
            findings.Add(finding);
            return resume;
        }

        // A last group followed by another separator ("12 123-45-6789") may start the next number: scanning resumes at it.
        if (after is ' ' or '-' or '.' && after != separator && TextClass.IsDigitAt(text, p + 1))
        {
            count--;
            resume = starts[count];
        }

        if (enabled.Has(MaskDetector.PaymentCard) && separator is ' ' or '-')
        {
            if (count >= 3)
            {
                FindGroupedCards(text, starts[..count], lengths[..count], findings);
            }

            // A card written without spaces among other numbers ("qty 1 4111111111111111").
            for (var g = 0; g < count; g++)
            {
                if (lengths[g] >= 12 && Checksums.IsCard(text.Slice(starts[g], lengths[g])))
                {
                    findings.Add(new Finding(starts[g], lengths[g], MaskDetector.PaymentCard));
                }
            }
        }

        return resume;
    }

    // SSNs and North American numbers: forms that must be the whole group sequence.
    private static bool TryExactForms(ReadOnlySpan<char> text, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, char separator, DetectorSet enabled, out Finding finding)
    {
        var end = starts[^1] + lengths[^1];
        finding = default;
        if (enabled.Has(MaskDetector.UsSsn) && separator is '-' or ' ' && lengths is [3, 2, 4]
            && Checksums.IsSsn(Number(text, starts[0], 3), Number(text, starts[1], 2), Number(text, starts[2], 4)))
        {
            finding = new Finding(starts[0], end - starts[0], MaskDetector.UsSsn);
            return true;
        }

        if (enabled.Has(MaskDetector.Phone))
        {
            var first = lengths is [1, 3, 3, 4] && text[starts[0]] == '1' ? 1 : 0;
            if (lengths[first..] is [3, 3, 4] && IsNanp(text[starts[first]], text[starts[first + 1]]))
            {
                finding = new Finding(starts[0], end - starts[0], MaskDetector.Phone);
                return true;
            }
        }

        if (enabled.Has(MaskDetector.PaymentCard) && separator is ' ' or '-')
        {
            foreach (var layout in CardLayouts)
            {
                if (lengths.SequenceEqual(layout) && IsCardInGroups(text, starts, lengths))
                {
                    finding = new Finding(starts[0], end - starts[0], MaskDetector.PaymentCard);
                    return true;
                }
            }
        }

        return false;
    }

    // A card written in groups inside a longer run ("Card 2 4111 1111 1111 1111").
    private static void FindGroupedCards(ReadOnlySpan<char> text, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, List<Finding> findings)
    {
        for (var k = 0; k < starts.Length; k++)
        {
            foreach (var layout in CardLayouts)
            {
                var n = layout.Length;
                if (k + n <= starts.Length && lengths.Slice(k, n).SequenceEqual(layout) && IsCardInGroups(text, starts.Slice(k, n), lengths.Slice(k, n)))
                {
                    var last = k + n - 1;
                    findings.Add(new Finding(starts[k], starts[last] + lengths[last] - starts[k], MaskDetector.PaymentCard));
                    k = last;
                    break;
                }
            }
        }
    }

    private static bool IsCardInGroups(ReadOnlySpan<char> text, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        Span<char> digits = stackalloc char[19];
        var n = 0;
        for (var g = 0; g < starts.Length; g++)
        {
            text.Slice(starts[g], lengths[g]).CopyTo(digits[n..]);
            n += lengths[g];
        }

        return Checksums.IsCard(digits[..n]);
    }

    private static bool IsNanp(char area, char exchange) => area is >= '2' and <= '9' && exchange is >= '2' and <= '9';

    private static int Number(ReadOnlySpan<char> text, int start, int length)
    {
        var value = 0;
        foreach (var c in text.Slice(start, length))
        {
            value = (value * 10) + (c - '0');
        }

        return value;
    }

    // "+44 20 7946 0958", "+14155552671", "(415) 555-2671", "+1 (415) 555-2671".
    private static bool TryPhoneAt(ReadOnlySpan<char> text, int i, out int start, out int end)
    {
        start = end = 0;
        var prev = TextClass.At(text, i - 1);
        if (prev == '+' && !TextClass.IsWordAt(text, i - 2) && text[i] != '0')
        {
            start = i - 1;
            return TryInternational(text, i, out end);
        }

        if (prev == '(' && !TextClass.IsWordAt(text, i - 2))
        {
            start = i - 1;
            return TryParenthesised(text, i, out end);
        }

        return false;
    }

    // 8 to 15 digits in groups. Of the places the number could end, the last one not followed by another group
    // wins; when every one is, the last one followed by a space (a list of numbers), so "+44 20 7946 0958
    // 415-555-2671" is two numbers. A decimal after the digits ("… 0958 0.52") is not part of it.
    private static bool TryInternational(ReadOnlySpan<char> text, int i, out int end)
    {
        var digits = 0;
        var clean = -1;
        var beforeSpace = -1;
        var p = i;
        while (p < text.Length && p - i < 40)
        {
            var c = text[p];
            if (char.IsAsciiDigit(c))
            {
                var groupEnd = TextClass.EndOfDigits(text, p);
                if (digits >= 8 && TextClass.At(text, groupEnd) == '.' && TextClass.IsDigitAt(text, groupEnd + 1))
                {
                    break;
                }

                digits += groupEnd - p;
                p = groupEnd;
                if (digits > 15)
                {
                    break;
                }

                var next = TextClass.At(text, p);
                if (digits >= 8 && !TextClass.IsWordAt(text, p) && next != ')')
                {
                    var continues = next is ' ' or '-' or '.' && (TextClass.IsDigitAt(text, p + 1) || TextClass.At(text, p + 1) == '(');
                    clean = continues ? clean : p;
                    beforeSpace = next == ' ' ? p : beforeSpace;
                }
            }
            else if (c is ' ' or '-' or '.' && (TextClass.IsDigitAt(text, p + 1) || TextClass.At(text, p + 1) == '('))
            {
                p++;
            }
            else if (c == '(' && TextClass.IsDigitAt(text, p + 1))
            {
                p++;
            }
            else if (c == ')' && TextClass.IsDigitAt(text, p - 1) && (TextClass.IsDigitAt(text, p + 1) || (TextClass.At(text, p + 1) is ' ' or '-' && TextClass.IsDigitAt(text, p + 2))))
            {
                p++;
            }
            else
            {
                break;
            }
        }

        end = clean > 0 ? clean : beforeSpace;
        return end > 0;
    }

    private static bool TryParenthesised(ReadOnlySpan<char> text, int i, out int end)
    {
        end = 0;
        if (TextClass.EndOfDigits(text, i) != i + 3 || TextClass.At(text, i + 3) != ')' || !IsNanp(text[i], TextClass.At(text, i + 4 + (TextClass.At(text, i + 4) == ' ' ? 1 : 0))))
        {
            return false;
        }

        var exchange = i + 4 + (TextClass.At(text, i + 4) == ' ' ? 1 : 0);
        if (TextClass.EndOfDigits(text, exchange) != exchange + 3 || TextClass.At(text, exchange + 3) is not ('-' or '.' or ' '))
        {
            return false;
        }

        var line = exchange + 4;
        end = TextClass.EndOfDigits(text, line);
        return end == line + 4 && !TextClass.IsWordAt(text, end) && !(TextClass.At(text, end) is '-' or '.' && TextClass.IsDigitAt(text, end + 1));
    }

    // "DE89 3704 0044 0532 0130 00" or "DE89370400440532013000"; the country code starts at i.
    private static bool TryIban(ReadOnlySpan<char> text, int i, out int end)
    {
        end = 0;
        if (i < 0 || !char.IsAsciiLetterUpper(text[i]) || !char.IsAsciiLetterUpper(text[i + 1]) || TextClass.IsWordAt(text, i - 1))
        {
            return false;
        }

        var length = Checksums.IbanLength(text.Slice(i, 2));
        if (length == 0)
        {
            return false;
        }

        Span<char> compact = stackalloc char[34];
        var n = 0;
        var p = i;
        while (n < length && p < text.Length)
        {
            var c = text[p];
            if (char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c))
            {
                compact[n++] = c;
                p++;
            }
            else if (c == ' ' && n % 4 == 0 && n > 0 && p + 1 < text.Length && text[p + 1] != ' ')
            {
                p++;
            }
            else
            {
                return false;
            }
        }

        end = p;
        return n == length && !TextClass.IsWordAt(text, p) && Checksums.IsIban(compact[..n]);
    }
}
