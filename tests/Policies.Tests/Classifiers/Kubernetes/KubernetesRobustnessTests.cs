using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Policies.Tools;
using Policies.Tests.Text;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>Any text is classified or unparsed, never an exception; what is sent is what was read.</summary>
public sealed class KubernetesRobustnessTests
{
    private static readonly string[] Pieces =
    [
        "apiVersion: v1\n", "apiVersion: apps/v1\n", "kind: ", "Pod", "Deployment", "List", "ConfigMap", "ClusterRole", "Secret", "\n",
        "metadata:", " {name: a}", "name: x", "namespace: kube-system", "items:", "spec:", "template:", "containers:", "- ", "  ", "    ",
        "{", "}", "[", "]", ": ", ",", "&a ", "*a", "<<: ", "!!str ", "!!int ", "!foo ", "? ", "---\n", "...\n", "'", "\"", "#", "|\n", ">-\n",
        "0644", ".inf", "yes", "~", "0x1F", "1e9", "hostNetwork: true", "privileged: true", "securityContext:", "image: a",
        "rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]", "roleRef: {kind: ClusterRole, name: cluster-admin}",
        "\t", "\r", "\u00e9", "\ufeff", "\u2028", "\ud83d\ude00", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "\\", "\\u0000",
    ];

    private static Gen<string> YamlLike { get; } = Gen.Elements(Pieces).ArrayOf().Select(p => string.Concat(p));

    [Fact]
    public void Any_text_is_classified_or_unparsed_and_never_throws()
    {
        Prop.ForAll(HostileText.Arbitrary, text => Holds(text)).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void Any_mix_of_manifest_pieces_keeps_the_invariants()
    {
        Prop.ForAll(YamlLike.ToArbitrary(), text => Holds(text)).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    [Fact]
    public void Any_edit_of_a_real_manifest_keeps_the_invariants()
    {
        var source = KubernetesCalls.RestrictedDeployment + "\n---\n" + "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {k: v}}\n";
        var edit = from at in Gen.Choose(0, source.Length - 1)
                   from how in Gen.Choose(0, 2)
                   from piece in Gen.Elements(Pieces)
                   select (At: at, How: how, Piece: piece);
        var edits = edit
            .ArrayOf()
            .Select(list =>
            {
                var text = new StringBuilder(source);
                foreach (var (at, how, piece) in list)
                {
                    var position = Math.Min(at, text.Length);
                    switch (how)
                    {
                        case 0 when text.Length > position:
                            text.Remove(position, 1);
                            break;
                        case 1:
                            text.Insert(position, piece);
                            break;
                        default:
                            text.Insert(position, piece[0]);
                            break;
                    }
                }

                return text.ToString();
            });

        Prop.ForAll(edits.ToArbitrary(), text => Holds(text)).Check(Config.QuickThrowOnFailure.WithMaxTest(3_000));
    }

    [Fact]
    public void Any_string_data_is_sent_exactly_as_written_in_json_and_in_quoted_yaml()
    {
        var safe = HostileText.Strings.Where(s => !s.Any(char.IsSurrogate) && !s.Contains('\0', StringComparison.Ordinal));
        var pairs = from k in safe from v in safe select (Key: k, Value: v);
        Prop.ForAll(pairs.ToArbitrary(), pair =>
        {
            var (key, value) = pair;
            var key1 = "k" + key;
            var data = new JsonObject { [key1] = value };
            var json = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "c" }, ["data"] = data }.ToJsonString();
            var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  {Quote(key1)}: {Quote(value)}\n";

            foreach (var manifest in new[] { json, yaml })
            {
                var sent = KubernetesCalls.Body(manifest)["data"]!.AsObject().Single();
                if (sent.Key != key1 || sent.Value!.GetValue<string>() != value)
                {
                    return false;
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void A_manifest_near_the_size_limit_is_classified_quickly()
    {
        var value = new string('x', 2_000);
        var manifest = new StringBuilder();
        for (var i = 0; manifest.Length < ManifestLimits.Default.MaxChars - 5_000 && i < ManifestLimits.Default.MaxObjects; i++)
        {
            manifest.Append($"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: {value}, b: {value}}}\n");
        }

        var clock = Stopwatch.StartNew();
        var classification = KubernetesCalls.Classify(manifest.ToString());
        clock.Stop();

        classification.UnparsedReasons.Should().BeEmpty();
        classification.Request()!.Objects.Length.Should().BeGreaterThan(200);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_wide_flat_manifest_of_many_small_values_is_bounded()
    {
        var manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [" + string.Join(",", Enumerable.Repeat("1", 300_000)) + "]\n";

        var classification = KubernetesCalls.Classify(manifest);

        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("more than 250,000 values");
    }

    [Fact]
    public void Classification_is_the_same_from_many_threads()
    {
        var manifests = KubernetesBypassTests.Attacks.Select(row => (string)row[1]).Concat(KubernetesBypassTests.Benign.Select(row => (string)row[1])).ToList();
        var expected = manifests.Select(m => KubernetesCalls.Classify(m).Facts.ToJson().ToJsonString()).ToList();
        var mismatches = new ConcurrentBag<int>();

        Parallel.For(0, manifests.Count * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var index = i % manifests.Count;
            if (KubernetesCalls.Classify(manifests[index]).Facts.ToJson().ToJsonString() != expected[index])
            {
                mismatches.Add(index);
            }
        });

        mismatches.Should().BeEmpty();
    }

    /// <summary>
    /// A call either carries a request (every object understood and listed, the facts one element
    /// per object, each namespaced object with its namespace in its body) or carries none and says why.
    /// </summary>
    private static bool Holds(string text)
    {
        Classification result;
        try
        {
            result = KubernetesCalls.Classify(text);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"classifying {JsonValue.Create(text).ToJsonString()} threw", e);
        }

        var objects = result.Objects();
        if (result.Request() is { } request)
        {
            return result.UnparsedReasons.IsEmpty
                && result.Refusals.IsEmpty
                && request.Objects.Length == objects.Count
                && request.Objects.Length > 0
                && request.Objects.All(o => o.ClusterScoped || o.ToJsonObject()["metadata"]!["namespace"]!.GetValue<string>() == o.Namespace);
        }

        return (!result.UnparsedReasons.IsEmpty && result.UnparsedReasons.All(r => r.Length > 0))
            || !result.Refusals.IsEmpty;
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when c < ' ' || c is '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff' || char.IsSurrogate(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
