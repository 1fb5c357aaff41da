using System.Text.Json;

namespace McpGateway.Pipeline;

/// <summary>
/// The optional <c>justification</c> every target tool takes: why the agent makes the call, shown
/// to approvers and recorded. It is taken out of the arguments before classification, so it is
/// never classified and never part of the request an approval binds to.
/// </summary>
internal static class CallJustification
{
    public const string Argument = "justification";
    public const int MaxLength = 2000;

    public static readonly JsonElement Schema = JsonDocument.Parse($$"""
        { "type": "string", "maxLength": {{MaxLength}}, "description": "Optional: why you make this call, in a sentence. Shown to the operator who approves it, and recorded." }
        """).RootElement.Clone();

    /// <summary>The request with its justification moved out of the arguments (or marked malformed when it is not one short string).</summary>
    public static ToolCallRequest Apply(ToolCallRequest request)
    {
        if (request.Malformed is not null || request.Arguments.ValueKind != JsonValueKind.Object || !request.Arguments.TryGetProperty(Argument, out var value))
        {
            return request;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } text || text.Length > MaxLength)
        {
            return request with { Malformed = $"Argument '{Argument}' must be a string of at most {MaxLength} characters saying why you make the call; send it as text, or leave it out." };
        }

        // The other arguments are kept byte for byte (names given twice, escapes and all), so the
        // classifier sees exactly what the agent sent, less this one property.
        var raw = System.Text.Encoding.UTF8.GetBytes(request.Arguments.GetRawText());
        var kept = new List<(int Start, int End)>();
        var found = 0;
        var reader = new Utf8JsonReader(raw);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var isJustification = reader.ValueTextEquals(Argument);
            reader.Read();
            reader.Skip();
            if (isJustification)
            {
                found++;
            }
            else
            {
                kept.Add((start, (int)reader.BytesConsumed));
            }
        }

        if (found != 1)
        {
            return request with { Malformed = $"Argument '{Argument}' is given {found} times; give it once." };
        }

        var rebuilt = new List<byte>(raw.Length) { (byte)'{' };
        for (var i = 0; i < kept.Count; i++)
        {
            if (i > 0)
            {
                rebuilt.Add((byte)',');
            }

            rebuilt.AddRange(raw.AsSpan(kept[i].Start, kept[i].End - kept[i].Start));
        }

        rebuilt.Add((byte)'}');
        using var document = JsonDocument.Parse(rebuilt.ToArray());
        return request with { Arguments = document.RootElement.Clone(), Justification = text.Trim().Length == 0 ? null : text.Trim() };
    }
}
