using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace McpGateway.Policies.Masking.Detection;

/// <summary>
/// Finds four digits in a row, sixteen characters at a time. Every card, SSN, IBAN and North American phone
/// number holds such a run, and most numbers in ordinary text (times, versions, counts, amounts) do not, so
/// only these places are looked at closely.
/// </summary>
internal static class DigitRuns
{
    public const int Length = 4;

    /// <summary>Where the first run of four digits at or after <paramref name="from"/> starts, or -1.</summary>
    public static int IndexOfRun(ReadOnlySpan<char> text, int from)
    {
        var i = from;
        if (Vector256.IsHardwareAccelerated && text.Length - i >= Vector256<ushort>.Count)
        {
            ref var start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var zero = Vector256.Create((ushort)'0');
            var ten = Vector256.Create((ushort)10);
            ulong carry = 0;
            for (; i <= text.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var digits = Vector256.LessThan(Vector256.LoadUnsafe(ref start, (nuint)i) - zero, ten).ExtractMostSignificantBits();
                if (digits == 0)
                {
                    carry = 0;
                    continue;
                }

                // Bit k of 'window' is set when the digit flags k..k+3 of (last three of before, these sixteen) are.
                var flags = ((ulong)digits << 3) | carry;
                var window = flags & (flags >> 1) & (flags >> 2) & (flags >> 3);
                if (window != 0)
                {
                    return i - 3 + BitOperations.TrailingZeroCount(window);
                }

                carry = (digits >> 13) & 7;
            }

            // Back up over digits the vector loop saw but could not yet call a run.
            while (i > from && char.IsAsciiDigit(text[i - 1]))
            {
                i--;
            }
        }

        var run = 0;
        for (; i < text.Length; i++)
        {
            run = char.IsAsciiDigit(text[i]) ? run + 1 : 0;
            if (run == Length)
            {
                return i - Length + 1;
            }
        }

        return -1;
    }
}
