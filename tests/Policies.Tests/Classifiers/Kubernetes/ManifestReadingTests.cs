using McpGateway.Policies.Classifiers.Kubernetes;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>How a manifest is read: YAML and JSON, documents, Lists, and everything refused.</summary>
public sealed class ManifestReadingTests
{
    private const string ConfigMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: fast
        """;

    [Fact]
    public void A_single_yaml_document_is_one_object()
    {
        var classification = KubernetesCalls.Classify(ConfigMap);

        var element = classification.Single();
        element.Text(KubectlApplyTool.ObjectKind).Should().Be("ConfigMap");
        element.Text(KubectlApplyTool.ObjectName).Should().Be("settings");
        element.Text(KubectlApplyTool.ObjectApiVersion).Should().Be("v1");
        element.Text(KubectlApplyTool.ObjectGroup).Should().BeEmpty();
        classification.Request()!.Objects.Should().ContainSingle().Which.ToJsonString()
            .Should().Be("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"apps"},"data":{"mode":"fast"}}""");
    }

    [Fact]
    public void Every_document_of_a_stream_is_an_object_in_order()
    {
        var manifest = "---\n" + ConfigMap + "\n---\n" + KubernetesCalls.RestrictedDeployment + "\n---\n# only a comment\n---\n";

        var classification = KubernetesCalls.Classify(manifest);

        classification.UnparsedReasons.Should().BeEmpty();
        classification.Objects().Select(o => o.Text(KubectlApplyTool.ObjectKind)).Should().Equal("ConfigMap", "Deployment");
        classification.Request()!.Objects.Select(o => o.Name).Should().Equal("settings", "web");
        classification.Facts.Get(KubectlApplyTool.ObjectCount)!.Number.Should().Be(2);
    }

    [Fact]
    public void Documents_ended_with_dots_are_read()
    {
        KubernetesCalls.Classify(ConfigMap + "\n...\n---\n" + ConfigMap.Replace("settings", "other", StringComparison.Ordinal) + "\n...\n")
            .Objects().Should().HaveCount(2);
    }

    [Fact]
    public void A_json_object_is_read()
    {
        var classification = KubernetesCalls.Classify("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"port":"8080"}}""");

        classification.Single().Text(KubectlApplyTool.ObjectName).Should().Be("settings");
    }

    [Fact]
    public void Several_json_values_are_several_documents()
    {
        var classification = KubernetesCalls.Classify("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}
            """);

        classification.Request()!.Objects.Select(o => o.Name).Should().Equal("a", "b");
    }

    [Fact]
    public void Json_numbers_are_kept_exactly()
    {
        var body = KubernetesCalls.Body("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"x":{"big":123456789012345678901234567890,"f":1.50,"e":1e3}}""");

        body["x"]!.ToJsonString().Should().Be("""{"big":123456789012345678901234567890,"f":1.50,"e":1e3}""");
    }

    [Fact]
    public void Yaml_flow_style_that_is_not_json_is_read_as_yaml()
    {
        KubernetesCalls.Classify("{apiVersion: v1, kind: ConfigMap, metadata: {name: flow}}")
            .Single().Text(KubectlApplyTool.ObjectName).Should().Be("flow");
    }

    [Fact]
    public void A_duplicate_key_in_json_is_refused()
    {
        var classification = KubernetesCalls.Classify("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"}}""");

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("metadata.name").And.Contain("more than once");
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n", "kind")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", "metadata.name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1', \"x\": '2'}\n", "data.x")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  hostNetwork: false\n  containers: []\n  hostNetwork: true\n", "spec.hostNetwork")]
    public void A_duplicate_key_in_yaml_is_refused_with_its_path(string manifest, string path)
    {
        var classification = KubernetesCalls.Classify(manifest);

        classification.IsUnparsed().Should().BeTrue();
        classification.Request().Should().BeNull();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain(path).And.Contain("more than once");
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\n")]
    [InlineData("apiVersion: &v v1\nkind: ConfigMap\nmetadata: {name: *v}\n")]
    [InlineData("base: &b {hostNetwork: true}\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  <<: *b\n  containers: []\n")]
    public void Anchors_and_aliases_are_refused(string manifest)
    {
        var classification = KubernetesCalls.Classify(manifest);

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("anchors and aliases are refused");
    }

    [Fact]
    public void A_billion_laughs_is_refused_at_its_first_anchor()
    {
        var yaml = new System.Text.StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
        {
            yaml.Append($"a{i}: &a{i} [").Append(string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))).Append("]\n");
        }

        var classification = KubernetesCalls.Classify(yaml.ToString());

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("line 1").And.Contain("&a0");
    }

    [Fact]
    public void A_merge_key_is_refused()
    {
        var classification = KubernetesCalls.Classify("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  <<: {hostNetwork: true}\n  containers: []\n");

        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("merge keys");
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n? [complex, key]\n: value\n", "keys must be plain text")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: !!binary aGVsbG8=\n", "!!binary")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: !custom {a: b}\n", "!custom")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: !!int abc}\n", "!!int")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n\"\": x\n", "a key is empty")]
    public void Keys_and_tags_that_json_cannot_hold_are_refused(string manifest, string message)
    {
        var classification = KubernetesCalls.Classify(manifest);

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain(message);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   bad: indent\n")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: [name: a\n")]
    [InlineData("apiVersion: 'v1\nkind: ConfigMap\n")]
    [InlineData("- a\nb: c\n")]
    [InlineData("apiVersion: v1\n\tkind: ConfigMap\n")]
    [InlineData("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}")]
    [InlineData("%YAML 1.1\n%YAML 1.1\n---\na: b\n")]
    public void Malformed_input_is_unparsed_with_a_location(string manifest)
    {
        var classification = KubernetesCalls.Classify(manifest);

        classification.IsUnparsed().Should().BeTrue();
        classification.Request().Should().BeNull();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().MatchRegex("line|JSON|LineNumber|document");
    }

    [Theory]
    [InlineData("just a string", "a string")]
    [InlineData("- a\n- b\n", "a list")]
    [InlineData("42", "a number")]
    [InlineData("[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}]", "a list")]
    public void A_document_that_is_not_a_mapping_is_unparsed(string manifest, string shape)
    {
        var classification = KubernetesCalls.Classify(manifest);

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain(shape).And.Contain("not a Kubernetes object");
    }

    [Theory]
    [InlineData("# nothing\n")]
    [InlineData("---\n---\n")]
    [InlineData("apiVersion: v1\nkind: List\nitems: []\n")]
    [InlineData("   \n\n")]
    public void A_manifest_without_objects_is_unparsed(string manifest)
    {
        var classification = KubernetesCalls.Classify(manifest);

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("no objects");
    }

    [Fact]
    public void A_list_is_expanded_into_its_items()
    {
        var classification = KubernetesCalls.Classify("""
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: ConfigMap
                metadata: { name: one }
              - apiVersion: v1
                kind: Service
                metadata: { name: two }
                spec: { ports: [{ port: 80 }] }
            """);

        classification.Objects().Select(o => o.Text(KubectlApplyTool.ObjectKind)).Should().Equal("ConfigMap", "Service");
        classification.Request()!.Objects.Select(o => o.Kind).Should().Equal("ConfigMap", "Service");
        classification.List(KubectlApplyTool.Kinds).Should().Equal("ConfigMap", "Service");
    }

    [Fact]
    public void Nested_and_typed_lists_are_expanded()
    {
        var classification = KubernetesCalls.Classify("""
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: ConfigMapList
                items:
                  - { apiVersion: v1, kind: ConfigMap, metadata: { name: inner } }
                  - apiVersion: v1
                    kind: List
                    items: [{ apiVersion: v1, kind: ConfigMap, metadata: { name: deepest } }]
              - { apiVersion: v1, kind: ConfigMap, metadata: { name: outer } }
            """);

        classification.Request()!.Objects.Select(o => o.Name).Should().Equal("inner", "deepest", "outer");
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: List\n", "without an 'items' list")]
    [InlineData("apiVersion: v1\nkind: List\nitems: {a: b}\n", "without an 'items' list")]
    [InlineData("apiVersion: v1\nkind: List\nitems: [just-a-string]\n", "items[0] is a string")]
    public void A_list_without_objects_as_items_is_unparsed(string manifest, string message)
    {
        KubernetesCalls.Classify(manifest).UnparsedReasons.Should().ContainSingle().Which.Should().Contain(message);
    }

    [Fact]
    public void A_kind_ending_in_list_without_items_is_an_object()
    {
        var classification = KubernetesCalls.Classify("apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: a}\n");

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("AllowList in apiVersion 'example.com/v1' is neither a built-in kind");
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_refused_before_reading()
    {
        var manifest = ConfigMap + "\n# " + new string('x', ManifestLimits.Default.MaxChars);

        var classification = KubernetesCalls.Classify(manifest);

        classification.Refusals.Should().ContainSingle().Which.Reason.Should().Contain("at most 1,048,576");
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 5000)) + string.Concat(Enumerable.Repeat("]", 5000));
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: " + deep + "\n";

        var classification = KubernetesCalls.Classify(yaml);

        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("nested more than 100 levels");
    }

    [Fact]
    public void Deep_json_nesting_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + string.Concat(Enumerable.Repeat("}", 500));

        KubernetesCalls.Classify(deep).IsUnparsed().Should().BeTrue();
    }

    [Fact]
    public void Too_many_values_are_refused()
    {
        var classifier = new KubectlApplyClassifier(ManifestLimits.Default with { MaxNodes = 50 });
        var manifest = ConfigMap + "\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"  k{i}: v\n"));
        using var document = System.Text.Json.JsonDocument.Parse(new System.Text.Json.Nodes.JsonObject { ["cluster"] = "prod", ["manifest"] = manifest }.ToJsonString());

        var classification = classifier.Classify(document.RootElement, KubernetesCalls.Environment);

        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("more than 50 values");
    }

    [Fact]
    public void Too_many_objects_are_refused()
    {
        var manifest = string.Join("\n---\n", Enumerable.Range(0, ManifestLimits.Default.MaxObjects + 1).Select(i => $"{{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{i}}}}}"));

        var classification = KubernetesCalls.Classify(manifest);

        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("more than 500 objects");
    }

    [Fact]
    public void Several_bad_objects_are_all_reported()
    {
        var manifest = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {}
            ---
            kind: ConfigMap
            metadata: {name: b}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: fine}
            """;

        var classification = KubernetesCalls.Classify(manifest);

        classification.UnparsedReasons.Should().HaveCount(2);
        classification.UnparsedReasons[0].Should().Contain("Document 1").And.Contain("metadata.name is missing");
        classification.UnparsedReasons[1].Should().Contain("Document 2").And.Contain("'apiVersion' is missing");
        classification.Objects().Should().ContainSingle("the understood object still has facts, so a deny rule can match it");
    }
}
