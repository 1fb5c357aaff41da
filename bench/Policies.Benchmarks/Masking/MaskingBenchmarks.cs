using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using McpGateway.Policies.Masking;

namespace Policies.Benchmarks.Masking;

/// <summary>
/// The masking engine with the <c>default</c> profile (every detector) on the committed corpora — service logs,
/// JSON rows, Kubernetes manifests and process tables, with nothing to mask (<c>Clean</c>) or dense with values
/// to mask (<c>Pii</c>) — and on a 1 MB JSON query result, against a naive loop of one regular expression per
/// detector over the same text. Throughput is the corpus size over the mean time.
/// </summary>
[MemoryDiagnoser]
public class MaskingBenchmarks
{
    private Masker _masker = null!;
    private string _clean = string.Empty;
    private string _pii = string.Empty;
    private JsonObject _result = null!;

    [GlobalSetup]
    public void Setup()
    {
        _masker = MaskingCatalog.BuiltIn.CreateMasker(null, new HeldSecretRedactor(["gateway-held-password-1", "Bearer 8f2c1d0e9b7a6c5d4e3f"]));
        _clean = Corpus.Read("corpus-clean.txt");
        _pii = Corpus.Read("corpus-pii.txt");
        _result = Corpus.JsonResult(1024 * 1024);
    }

    [Benchmark]
    public string Clean_engine() => _masker.MaskText(_clean);

    [Benchmark]
    public string Clean_naive_regex_per_detector() => NaiveMasker.Mask(_clean);

    [Benchmark]
    public string Pii_engine() => _masker.MaskText(_pii);

    [Benchmark]
    public string Pii_naive_regex_per_detector() => NaiveMasker.Mask(_pii);

    [Benchmark]
    public JsonNode? Json_1MB_result_engine() => _masker.Mask(_result);
}
