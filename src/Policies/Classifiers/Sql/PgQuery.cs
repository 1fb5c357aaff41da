using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// PostgreSQL's own parser, through libpg_query (PostgreSQL 15 grammar). The library is found
/// once, under the names its Debian packages install (<c>libpg_query.so.1504.0</c> from the
/// runtime package, <c>libpg_query.so</c> from the -dev one); parsing is thread-safe.
/// </summary>
internal static unsafe partial class PgQuery
{
    /// <summary>The Debian package that ships the library.</summary>
    public const string Package = "libpg-query1504.0";

    /// <summary>The grammar the library parses.</summary>
    public const string GrammarVersion = "PostgreSQL 15";

    private const string LibraryName = "pg_query";
    private static readonly string[] FileNames = ["libpg_query.so.1504.0", "libpg_query.so", "libpg_query.so.15", "libpg_query"];
    private static readonly Lazy<string?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static nint _handle;

    /// <summary>Whether the library could be loaded and answers; loads it on first use.</summary>
    public static bool IsAvailable => Loaded.Value is null;

    /// <summary>Why the library is not available, or null when it is.</summary>
    public static string? LoadError => Loaded.Value;

    /// <summary>
    /// Parses <paramref name="sql"/> (which must hold no NUL character) into libpg_query's JSON
    /// parse tree. The caller disposes the tree.
    /// </summary>
    public static PgParseOutcome Parse(string sql)
    {
        if (Loaded.Value is { } error)
        {
            throw new InvalidOperationException(error);
        }

        var length = Encoding.UTF8.GetByteCount(sql);
        var input = new byte[length + 1];
        Encoding.UTF8.GetBytes(sql, input);
        fixed (byte* text = input)
        {
            var result = NativeMethods.Parse(text);
            try
            {
                if (result.Error != null)
                {
                    var message = Marshal.PtrToStringUTF8((nint)result.Error->Message) ?? "syntax error";
                    return new PgParseOutcome(null, message, result.Error->CursorPosition, TooDeep: false);
                }

                if (result.ParseTree == null)
                {
                    return new PgParseOutcome(null, "the parser returned no tree", 0, TooDeep: false);
                }

                var tree = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result.ParseTree).ToArray();
                try
                {
                    return new PgParseOutcome(JsonDocument.Parse(tree, TreeOptions), null, 0, TooDeep: false);
                }
                catch (JsonException)
                {
                    return new PgParseOutcome(null, null, 0, TooDeep: true);
                }
            }
            finally
            {
                NativeMethods.FreeParseResult(result);
            }
        }
    }

    /// <summary>Deep enough for any statement people write; deeper trees are not walked (and so not run).</summary>
    private static readonly JsonDocumentOptions TreeOptions = new() { MaxDepth = 1000 };

    private static string? Load()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(PgQuery).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // A resolver was already set for this assembly; the default search applies.
        }

        foreach (var name in FileNames)
        {
            if (NativeLibrary.TryLoad(name, typeof(PgQuery).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out var handle))
            {
                _handle = handle;
                break;
            }
        }

        if (_handle == 0)
        {
            return $"The SQL parser library libpg_query is not installed on the gateway (Debian package {Package}).";
        }

        try
        {
            // One real parse proves the entry points and the structure layout.
            fixed (byte* probe = "SELECT 1\0"u8)
            {
                var result = NativeMethods.Parse(probe);
                var ok = result.Error == null && result.ParseTree != null;
                NativeMethods.FreeParseResult(result);
                return ok ? null : "The SQL parser library libpg_query did not parse a test statement.";
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return $"The SQL parser library libpg_query could not be used ({e.GetType().Name}); install Debian package {Package}.";
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibraryName ? _handle : 0;

    /// <summary><c>PgQueryError</c>: message, funcname, filename, lineno, cursorpos, context.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PgQueryError
    {
        public byte* Message;
        public byte* FunctionName;
        public byte* FileName;
        public int LineNumber;
        public int CursorPosition;
        public byte* Context;
    }

    /// <summary><c>PgQueryParseResult</c>: parse_tree, stderr_buffer, error; returned by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PgQueryParseResult
    {
        public byte* ParseTree;
        public byte* StderrBuffer;
        public PgQueryError* Error;
    }

    private static partial class NativeMethods
    {
        [LibraryImport(LibraryName, EntryPoint = "pg_query_parse")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        public static partial PgQueryParseResult Parse(byte* input);

        [LibraryImport(LibraryName, EntryPoint = "pg_query_free_parse_result")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        public static partial void FreeParseResult(PgQueryParseResult result);
    }
}

/// <summary>
/// A parse: the JSON tree; or PostgreSQL's error message and its 1-based character position
/// (0 when unknown); or, when <paramref name="TooDeep"/>, a tree nested deeper than the gateway reads.
/// </summary>
internal readonly record struct PgParseOutcome(JsonDocument? Tree, string? Error, int Position, bool TooDeep);
