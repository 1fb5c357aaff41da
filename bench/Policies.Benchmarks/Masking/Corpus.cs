using System.Globalization;
using System.Text.Json.Nodes;

namespace Policies.Benchmarks.Masking;

/// <summary>The committed corpora (embedded in this assembly) and a generated tabular JSON result.</summary>
internal static class Corpus
{
    public static string Read(string name)
    {
        using var stream = typeof(Corpus).Assembly.GetManifestResourceStream($"Masking.{name}")
            ?? throw new InvalidOperationException($"Corpus {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A query result of about <paramref name="size"/> bytes: rows of ids, names, amounts, times, notes, and one e-mail in ten rows.</summary>
    public static JsonObject JsonResult(int size)
    {
        var random = new Random(20240501);
        var rows = new JsonArray();
        var bytes = 0;
        for (var i = 0; bytes < size; i++)
        {
            var note = i % 10 == 0 ? $"contact user{i}@example.com" : $"order {random.Next(100000, 999999)} shipped via DHL, weight {random.NextDouble() * 30:F2} kg";
            var row = new JsonArray(
                i,
                Guid.NewGuid().ToString(),
                $"customer-{random.Next(1, 50000)}",
                Math.Round(random.NextDouble() * 5000, 2),
                new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(0, 2_000_000)).ToString("O", CultureInfo.InvariantCulture),
                note,
                random.Next(0, 2) == 0);
            bytes += row.ToJsonString().Length;
            rows.Add(row);
        }

        return new JsonObject
        {
            ["columns"] = new JsonArray("id", "uuid", "customer", "amount", "created_at", "note", "paid"),
            ["rows"] = rows,
            ["rowCount"] = rows.Count,
        };
    }
}
