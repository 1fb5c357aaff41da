using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Turns PostgreSQL values into JSON without losing what they are: numbers stay numbers unless a
/// JSON reader would lose precision (then a string of the exact digits), times in ISO 8601,
/// <c>bytea</c> as base64, <c>json</c>/<c>jsonb</c> as JSON, arrays as arrays, NULL as null.
/// </summary>
internal static class SqlJsonValues
{
    /// <summary>The largest integer every JSON reader holds exactly (2^53).</summary>
    private const long SafeInteger = 9_007_199_254_740_992;

    /// <summary>The value of column <paramref name="ordinal"/> of the current row.</summary>
    public static JsonNode? Read(NpgsqlDataReader reader, int ordinal, string type)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        switch (type)
        {
            case "json" or "jsonb":
                return Json(reader.GetFieldValue<string>(ordinal));
            case "numeric":
                return Numeric(reader, ordinal);
            case "date":
                return Date(reader.GetFieldValue<DateTime>(ordinal));
            case "interval":
                return Interval(reader.GetFieldValue<NpgsqlInterval>(ordinal));
            case "timetz":
                return JsonValue.Create(reader.GetFieldValue<DateTimeOffset>(ordinal).ToString("HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture));
            case "money":
                return JsonValue.Create(reader.GetFieldValue<decimal>(ordinal).ToString(CultureInfo.InvariantCulture));
            default:
                break;
        }

        var elementType = type.EndsWith("[]", StringComparison.Ordinal) ? type[..^2] : type;
        try
        {
            return Convert(reader.GetValue(ordinal), elementType);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or NotSupportedException)
        {
            try
            {
                // A type the provider cannot map: its text form, as PostgreSQL prints it.
                return JsonValue.Create(reader.GetFieldValue<string>(ordinal));
            }
            catch (Exception again) when (again is InvalidCastException or OverflowException or NotSupportedException)
            {
                throw new Pipeline.ToolCallException($"Column '{reader.GetName(ordinal)}' has type {type}, whose values the gateway cannot show faithfully; cast it to text in the query (for example {reader.GetName(ordinal)}::text).", again);
            }
        }
    }

    /// <summary>A value as the provider returns it; <paramref name="type"/> is the (element) type's name.</summary>
    public static JsonNode? Convert(object? value, string type) => value switch
    {
        null or DBNull => null,
        bool b => JsonValue.Create(b),
        short s => JsonValue.Create(s),
        int i => JsonValue.Create(i),
        long l => l is >= -SafeInteger and <= SafeInteger ? JsonValue.Create(l) : JsonValue.Create(l.ToString(CultureInfo.InvariantCulture)),
        uint u => JsonValue.Create(u),
        decimal d => Decimal(d),
        BigInteger big => JsonValue.Create(big.ToString(CultureInfo.InvariantCulture)),
        float f => float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(f.ToString(CultureInfo.InvariantCulture)),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        string s when type is "json" or "jsonb" => Json(s),
        string s => JsonValue.Create(s),
        char c => JsonValue.Create(c.ToString()),
        Guid g => JsonValue.Create(g.ToString()),
        DateTime t when type == "date" => Date(t),
        DateTime t => Timestamp(t),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly t => JsonValue.Create(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        DateTimeOffset o => JsonValue.Create(o.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture)),
        TimeSpan span when type == "time" => JsonValue.Create(span.ToString(@"hh\:mm\:ss\.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.')),
        TimeSpan span => Interval(new NpgsqlInterval(0, 0, span.Ticks / 10)),
        NpgsqlInterval interval => Interval(interval),
        byte[] bytes => JsonValue.Create(System.Convert.ToBase64String(bytes)),
        BitArray bits => JsonValue.Create(Bits(bits)),
        Array array => Array(array, type),
        IFormattable formattable => JsonValue.Create(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };

    private static JsonValue Numeric(NpgsqlDataReader reader, int ordinal)
    {
        try
        {
            return Decimal(reader.GetFieldValue<decimal>(ordinal));
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException)
        {
            // NaN, ±Infinity, or more digits than a decimal holds: the value as a double would lose
            // them silently, so it is shown as PostgreSQL's double form and marked as a string.
            return JsonValue.Create(reader.GetFieldValue<double>(ordinal).ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A number when a double holds it exactly, otherwise its exact digits as a string.</summary>
    private static JsonValue Decimal(decimal value)
    {
        var asDouble = (double)value;
        return double.IsFinite(asDouble) && (decimal)asDouble == value
            ? JsonValue.Create(value)
            : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));
    }

    private static JsonNode? Json(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static JsonValue Date(DateTime value) =>
        value == DateTime.MaxValue ? JsonValue.Create("infinity")
        : value == DateTime.MinValue ? JsonValue.Create("-infinity")
        : JsonValue.Create(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    private static JsonValue Timestamp(DateTime value) =>
        value == DateTime.MaxValue ? JsonValue.Create("infinity")
        : value == DateTime.MinValue ? JsonValue.Create("-infinity")
        : JsonValue.Create(value.ToString(value.Kind == DateTimeKind.Utc ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture));

    /// <summary>An ISO 8601 duration: P[nY][nM][nD][T[nH][nM][n.nS]], signs per part as PostgreSQL keeps them.</summary>
    private static JsonValue Interval(NpgsqlInterval interval)
    {
        var text = new System.Text.StringBuilder("P");
        var years = interval.Months / 12;
        var months = interval.Months % 12;
        if (years != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{years}Y");
        }

        if (months != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{months}M");
        }

        if (interval.Days != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{interval.Days}D");
        }

        var time = TimeSpan.FromTicks(interval.Time * 10);
        if (time != TimeSpan.Zero)
        {
            text.Append('T');
            var hours = (long)time.TotalHours;
            if (hours != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{hours}H");
            }

            if (time.Minutes != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{time.Minutes}M");
            }

            var seconds = time.Seconds + (time.Ticks % TimeSpan.TicksPerSecond / (decimal)TimeSpan.TicksPerSecond);
            if (seconds != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{seconds:0.######}S");
            }
        }

        return JsonValue.Create(text.Length == 1 ? "PT0S" : text.ToString());
    }

    private static string Bits(BitArray bits)
    {
        var chars = new char[bits.Length];
        for (var i = 0; i < bits.Length; i++)
        {
            chars[i] = bits[i] ? '1' : '0';
        }

        return new string(chars);
    }

    /// <summary>An array of any rank, as nested JSON arrays.</summary>
    private static JsonArray Array(Array array, string type)
    {
        if (array.Rank == 1)
        {
            var result = new JsonArray();
            foreach (var item in array)
            {
                result.Add(Convert(item, type));
            }

            return result;
        }

        return Dimension(array, type, new int[array.Rank], 0);
    }

    private static JsonArray Dimension(Array array, string type, int[] indices, int dimension)
    {
        var result = new JsonArray();
        for (var i = array.GetLowerBound(dimension); i <= array.GetUpperBound(dimension); i++)
        {
            indices[dimension] = i;
            result.Add(dimension == array.Rank - 1 ? Convert(array.GetValue(indices), type) : Dimension(array, type, indices, dimension + 1));
        }

        return result;
    }
}
