using System.Text;
using BenchmarkDotNet.Attributes;
using McpGateway.Policies.Masking;

namespace Policies.Benchmarks.Masking;

/// <summary>
/// The held-secret redactor on 1 MiB of log-like text (the clean corpus: service logs, JSON rows, manifests)
/// with no secret and with a few in the spellings it looks for (raw, another letter case, Base64 wrapped as PEM,
/// a Basic credential, separated hex, HTML references, JSON-then-HTML escaping), and on 1 MiB of MIME-wrapped
/// Base64 with no secret (the most lines to join). Each text runs through the redactor as it is now and through
/// <see cref="LiteralRedactor"/>, the one before spellings in other cases, wrapped and with references.
/// Throughput is 1 MiB over the mean time.
/// </summary>
[MemoryDiagnoser]
public class HeldSecretBenchmarks
{
    private const int Size = 1024 * 1024;

    private static readonly string[] Secrets =
    [
        "pg-Pr0d-passw0rd!2024", "8f2c1d0e9b7a6c5d4e3f2a1b0c9d8e7f", "sk_live_51Hx9QeLkP3vT7wYzR2mN8bC", "correct-horse-battery-7", "whsec_K3y&<Q\"uoted>'é",
    ];

    private HeldSecretRedactor _now = null!;
    private LiteralRedactor _before = null!;
    private string _clean = string.Empty;
    private string _withSecrets = string.Empty;
    private string _base64 = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _now = new HeldSecretRedactor(Secrets);
        _before = new LiteralRedactor(Secrets);
        _clean = Repeat(Corpus.Read("corpus-clean.txt"));
        _withSecrets = WithSecrets(_clean);
        _base64 = Repeat(Convert.ToBase64String(Enumerable.Range(0, 600_000).Select(i => (byte)(i * 7919 >> 3)).ToArray(), Base64FormattingOptions.InsertLineBreaks));
        if (!ReferenceEquals(_now.Redact(_clean), _clean) || !ReferenceEquals(_now.Redact(_base64), _base64) || _now.Redact(_withSecrets, out var count) is null || count < Planted)
        {
            throw new InvalidOperationException("The benchmark texts are not what they should be.");
        }
    }

    private const int Planted = 10;

    [Benchmark(Baseline = true)]
    public string Clean_before() => _before.Redact(_clean);

    [Benchmark]
    public string Clean_now() => _now.Redact(_clean);

    [Benchmark]
    public string With_secrets_before() => _before.Redact(_withSecrets);

    [Benchmark]
    public string With_secrets_now() => _now.Redact(_withSecrets);

    [Benchmark]
    public string Wrapped_base64_before() => _before.Redact(_base64);

    [Benchmark]
    public string Wrapped_base64_now() => _now.Redact(_base64);

    private static string Repeat(string text)
    {
        var repeated = new StringBuilder(Size + text.Length);
        while (repeated.Length < Size)
        {
            repeated.Append(text);
        }

        return repeated.ToString(0, Size);
    }

    // The clean text with a secret in another spelling after each of ten lines spread over it, cut back to 1 MiB.
    private static string WithSecrets(string clean)
    {
        var pem = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"kind\":\"Secret\",\"password\":\"" + Secrets[0] + "\",\"note\":\"rotated monthly\"}"));
        string[] planted =
        [
            Secrets[0],
            Secrets[1].ToUpperInvariant(),
            "-----BEGIN DATA-----\n" + string.Join('\n', pem.Chunk(64).Select(chunk => new string(chunk))) + "\n-----END DATA-----",
            "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("deploy:" + Secrets[3])),
            string.Join(':', Encoding.UTF8.GetBytes(Secrets[2]).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))),
            string.Concat(Secrets[2].Select(c => $"&#{(int)c};")),
            "value=\"" + System.Net.WebUtility.HtmlEncode(System.Text.Json.JsonSerializer.Serialize(Secrets[4])) + "\"",
            Uri.EscapeDataString(Secrets[4]),
            Secrets[3].ToUpperInvariant(),
            Convert.ToHexString(Encoding.UTF8.GetBytes(Secrets[1])),
        ];
        var lines = clean.Split('\n');
        for (var i = 0; i < planted.Length; i++)
        {
            var at = (i + 1) * lines.Length / (planted.Length + 1);
            lines[at] += " " + planted[i];
        }

        return string.Join('\n', lines)[..Size];
    }
}
