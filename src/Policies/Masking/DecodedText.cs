using System.Buffers;

namespace McpGateway.Policies.Masking;

/// <summary>A stretch of text, from <see cref="Start"/> up to (not including) <see cref="End"/>.</summary>
internal readonly record struct Stretch(int Start, int End);

/// <summary>
/// Text read from part of another text (line breaks left out, character references decoded), with the stretch
/// of the original each character came from, so that what is found in it can be redacted in the original.
/// Buffers are rented; dispose to return them.
/// </summary>
internal sealed class DecodedText : IDisposable
{
    private char[] _chars = ArrayPool<char>.Shared.Rent(256);
    private int[] _starts = ArrayPool<int>.Shared.Rent(256);
    private int[] _ends = ArrayPool<int>.Shared.Rent(256);

    public int Length { get; private set; }

    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Adds <paramref name="c"/>, read from <c>original[start..end]</c>.</summary>
    public void Add(char c, int start, int end)
    {
        Reserve(1);
        _chars[Length] = c;
        _starts[Length] = start;
        _ends[Length] = end;
        Length++;
    }

    /// <summary>Adds <c>original[start..end]</c> as it is.</summary>
    public void AddRun(ReadOnlySpan<char> original, int start, int end)
    {
        Reserve(end - start);
        original[start..end].CopyTo(_chars.AsSpan(Length));
        for (var i = start; i < end; i++)
        {
            _starts[Length] = i;
            _ends[Length] = i + 1;
            Length++;
        }
    }

    /// <summary>The stretch of the original that characters <paramref name="start"/> to <paramref name="end"/> were read from.</summary>
    public Stretch Source(int start, int end) => new(_starts[start], _ends[end - 1]);

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        ArrayPool<int>.Shared.Return(_starts);
        ArrayPool<int>.Shared.Return(_ends);
        _chars = [];
        _starts = [];
        _ends = [];
        Length = 0;
    }

    private void Reserve(int more)
    {
        if (Length + more <= _chars.Length)
        {
            return;
        }

        var size = Math.Max(Length + more, 2 * _chars.Length);
        _chars = Grown(_chars, size, Length);
        _starts = Grown(_starts, size, Length);
        _ends = Grown(_ends, size, Length);
    }

    private static T[] Grown<T>(T[] old, int size, int used)
    {
        var grown = ArrayPool<T>.Shared.Rent(size);
        old.AsSpan(0, used).CopyTo(grown);
        ArrayPool<T>.Shared.Return(old);
        return grown;
    }
}
