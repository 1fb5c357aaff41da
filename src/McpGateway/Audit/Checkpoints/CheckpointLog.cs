using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// A checkpoint as it is anchored outside the store: the signed checkpoint and the
/// <c>audit.checkpoint</c> entry that holds it (<c>checkpointSeq</c>, <c>checkpointHash</c>).
/// </summary>
/// <param name="Checkpoint">The signed checkpoint.</param>
/// <param name="CheckpointSeq">The seq of the chain entry that holds it.</param>
/// <param name="CheckpointHash">That entry's hash.</param>
/// <param name="Line">Its line in the file it was read from (1-based; 0 when not read from a file).</param>
public sealed record CheckpointAnchor(SignedCheckpoint Checkpoint, long CheckpointSeq, string CheckpointHash, int Line = 0)
{
    /// <summary>The newest entry this anchor proves the chain reached.</summary>
    public long Reaches => Math.Max(CheckpointSeq, Checkpoint.Statement.Seq);

    public JsonObject ToJson()
    {
        var json = Checkpoint.ToPayload();
        json["checkpointSeq"] = CheckpointSeq;
        json["checkpointHash"] = CheckpointHash;
        return json;
    }

    public static CheckpointAnchor? TryParse(string line, int number, out string? problem)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (JsonException)
        {
            problem = "it is not JSON";
            return null;
        }

        if (SignedCheckpoint.TryParse(node, out problem, "checkpointSeq", "checkpointHash") is not { } checkpoint)
        {
            return null;
        }

        try
        {
            var seq = node!["checkpointSeq"]?.GetValue<long>() ?? 0;
            var hash = node["checkpointHash"]?.GetValue<string>();
            if (seq <= checkpoint.Statement.Seq || !SignedCheckpoint.IsHex(hash, 64))
            {
                problem = "it lacks a valid checkpointSeq (after the seq it signs) or checkpointHash";
                return null;
            }

            return new CheckpointAnchor(checkpoint, seq, hash!, number);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            problem = "its checkpointSeq or checkpointHash has the wrong type";
            return null;
        }
    }
}

/// <summary>What an anchor file holds: its checkpoints, or the first line that is not one.</summary>
public sealed record CheckpointAnchorFile(string Path, bool Exists, IReadOnlyList<CheckpointAnchor> Anchors, string? Problem);

/// <summary>
/// The checkpoint log (<c>McpGateway:Audit:CheckpointLog</c>): one JSON line per checkpoint,
/// appended and flushed to the disk before the append returns. It is the anchor
/// <c>audit verify</c> checks the chain's end against, so it belongs on other storage than the
/// store: whoever can rewrite both can remove the newest entries unnoticed.
/// </summary>
public static class CheckpointLog
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Appends one line and flushes it to the disk. Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.</summary>
    public static void Append(string path, CheckpointAnchor anchor)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.Read });

        // A line torn by a crash is left as it is (verify reports it); the next starts on its own line.
        var separator = stream.Length > 0 && EndsWithoutNewline(stream) ? "\n" : string.Empty;
        stream.Seek(0, SeekOrigin.End);
        stream.Write(Encoding.UTF8.GetBytes(separator + anchor.ToJson().ToJsonString(Options) + "\n"));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Every checkpoint in the file at <paramref name="path"/>; a missing file holds none.</summary>
    public static CheckpointAnchorFile Read(string path)
    {
        if (!File.Exists(path))
        {
            return new CheckpointAnchorFile(path, false, [], null);
        }

        var anchors = new List<CheckpointAnchor>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            if (CheckpointAnchor.TryParse(line, number, out var problem) is not { } anchor)
            {
                return new CheckpointAnchorFile(path, true, anchors, $"line {number} of {path} is not a checkpoint: {problem}.");
            }

            anchors.Add(anchor);
        }

        return new CheckpointAnchorFile(path, true, anchors, null);
    }

    /// <summary>The newest checkpoint in the log, read from its end; null when there is none (or the last line is torn).</summary>
    public static CheckpointAnchor? ReadNewest(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = (int)Math.Min(stream.Length, 64 * 1024);
        stream.Seek(-length, SeekOrigin.End);
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        var lines = Encoding.UTF8.GetString(buffer).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? null : CheckpointAnchor.TryParse(lines[^1], 0, out _);
    }

    private static bool EndsWithoutNewline(FileStream stream)
    {
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }
}
