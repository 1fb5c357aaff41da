using System.Text;
using McpGateway.Policies.Loading;

namespace Policies.Tests.Loading;

public sealed class BundleLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-bundle-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_folder_bundle_reads_every_yaml_file_in_sorted_order_recursively()
    {
        Write("b.yaml", "rules: [{ name: from-b, effect: deny }]");
        Write("a.yml", "rules: [{ name: from-a, effect: allow }]");
        Write("nested/c.yaml", "rules: [{ name: from-c, effect: allow }]");
        Write("notes.txt", "not policy");

        var bundle = Loader().Load(_folder);

        bundle.Rules.Select(r => r.Name).Should().Equal("from-a", "from-b", "from-c");
        bundle.Files.Should().Equal("a.yml", "b.yaml", "nested/c.yaml");
    }

    [Fact]
    public void Errors_name_the_file_they_are_in()
    {
        Write("good.yaml", "rules: [{ name: ok, effect: allow }]");
        Write("team/bad.yaml", "rules:\n  - name: broken\n    effect: maybe\n");

        var act = () => Loader().Load(_folder);

        act.Should().Throw<PolicyBundleException>().Which.Errors.Should().ContainSingle()
            .Which.ToString().Should().StartWith("team/bad.yaml:3:13: Unknown effect 'maybe'");
    }

    [Fact]
    public void The_revision_is_stable_and_changes_with_any_byte()
    {
        Write("a.yaml", "rules: [{ name: a, effect: allow }]");
        var first = Loader().Load(_folder).Revision;
        var again = Loader().Load(_folder).Revision;
        Write("a.yaml", "rules: [{ name: a, effect: allow }] ");
        var changed = Loader().Load(_folder).Revision;

        again.Should().Be(first);
        changed.Should().NotBe(first);
    }

    [Fact]
    public void The_revision_covers_file_names_too()
    {
        var content = Encoding.UTF8.GetBytes("rules: [{ name: a, effect: allow }]");

        var one = PolicyBundleLoader.ComputeRevision([new PolicySource("a.yaml", content)]);
        var renamed = PolicyBundleLoader.ComputeRevision([new PolicySource("b.yaml", content)]);

        renamed.Should().NotBe(one);
    }

    [Fact]
    public void A_missing_bundle_or_an_empty_folder_is_an_error()
    {
        var missing = () => Loader().Load(Path.Combine(_folder, "nope"));
        var empty = () => Loader().Load(_folder);

        missing.Should().Throw<PolicyBundleException>().WithMessage("*does not exist*");
        empty.Should().Throw<PolicyBundleException>().WithMessage("*holds no .yaml or .yml files*");
    }

    [Fact]
    public void A_single_file_is_a_bundle()
    {
        Write("only.yaml", "rules: [{ name: a, effect: allow }]");

        Loader().Load(Path.Combine(_folder, "only.yaml")).Files.Should().Equal("only.yaml");
    }

    private static PolicyBundleLoader Loader() => new(TestPolicies.Catalog(), TestPolicies.Environment);

    private void Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
