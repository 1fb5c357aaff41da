using System.Text;
using McpGateway.Policies.Loading;

namespace Policies.Tests.Loading;

/// <summary>
/// Loading is total: whatever a bundle file holds, the loader returns a bundle or located errors,
/// and never throws anything else, overflows the stack or expands without bound.
/// </summary>
public sealed class BoundedLoadingTests
{
    [Theory]
    [InlineData("rules:\n  - name: [a, b\n    effect: allow\n  - name: x\n")]
    [InlineData("rules:\n  - name: [a, b\n    effect: allow\n")]
    [InlineData("rules: [\n  a\n  b: c\n d\n")]
    [InlineData("rules: {\n a: b\n c\n")]
    [InlineData("rules:\n  - name: 'unclosed\n    effect: allow\n")]
    [InlineData("rules:\n\t- name: tab\n")]
    [InlineData("rules: *nowhere\n")]
    [InlineData("%YAML 9.9\n--- \nrules: []\n")]
    [InlineData("rules: [{ name: a, effect: allow }]\n...\n...\n--- !!binary x\n")]
    public void Broken_yaml_is_a_located_error(string text)
    {
        var act = () => Load(text);

        var error = act.Should().Throw<PolicyBundleException>().Which.Errors.Should().ContainSingle().Subject;
        error.Location.Should().NotBeNull();
        error.Location!.Value.File.Should().Be("bundle.yaml");
        error.Location.Value.Line.Should().BePositive();
    }

    [Theory]
    [InlineData(100)]
    [InlineData(200_000)]
    public void Deep_nesting_is_refused_without_overflowing_the_stack(int depth)
    {
        var text = "rules: " + new string('[', depth) + new string(']', depth);

        var act = () => Load(text);

        act.Should().Throw<PolicyBundleException>().WithMessage("*Nesting deeper than 64 levels*");
    }

    [Fact]
    public void Deep_block_mappings_are_refused_too()
    {
        var text = new StringBuilder("rules:\n");
        for (var i = 0; i < 500; i++)
        {
            text.Append(' ', i + 1).Append("k: \n");
        }

        var act = () => Load(text.ToString());

        act.Should().Throw<PolicyBundleException>().WithMessage("*Nesting deeper than 64 levels*");
    }

    [Fact]
    public void Alias_amplification_is_refused_before_anything_is_built()
    {
        // Each level doubles the last: 2^40 copies of one rule from a file of under 2 KiB.
        var text = new StringBuilder("a0: &a0 { name: r, effect: allow, when: { tool: http_call } }\n");
        for (var i = 1; i <= 40; i++)
        {
            text.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n");
        }

        text.Append("rules: *a40\n");
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var act = () => Load(text.ToString());

        act.Should().Throw<PolicyBundleException>().WithMessage("*expands to more than 1,000,000 nodes*");
        (GC.GetTotalAllocatedBytes(precise: true) - before).Should().BeLessThan(64L * 1024 * 1024);
    }

    [Fact]
    public void Amplification_spread_over_several_files_counts_against_one_budget()
    {
        var file = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 4; i++)
        {
            file.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        // About 111,111 nodes each: one file passes the scan, ten together do not.
        var sources = Enumerable.Range(0, 10)
            .Select(i => new PolicySource($"f{i}.yaml", Encoding.UTF8.GetBytes(file + "rules: []\n")))
            .ToList();

        var act = () => Loader().Load(sources);

        act.Should().Throw<PolicyBundleException>().WithMessage("*expands to more than 1,000,000 nodes*");
    }

    [Fact]
    public void Aliases_that_stay_small_still_work()
    {
        var text = """
            rules:
              - { name: a, effect: allow, when: &reads { tool: http_call, facts: { http.method: GET } } }
              - { name: b, effect: allow, when: *reads }
            """;

        Load(text).Rules.Select(r => r.Name).Should().Equal("a", "b");
    }

    [Fact]
    public void A_recursive_alias_is_refused()
    {
        var act = () => Load("rules: &r [ { name: a, effect: allow }, *r ]\n");

        act.Should().Throw<PolicyBundleException>().WithMessage("*refers to a node that contains it*");
    }

    [Fact]
    public void An_oversized_file_is_refused_by_size()
    {
        var text = "rules: []\n# " + new string('x', 9 * 1024 * 1024) + "\n";

        var act = () => Load(text);

        act.Should().Throw<PolicyBundleException>().WithMessage("*the limit is 8,388,608*");
    }

    [Fact]
    public void Thousands_of_errors_are_reported_as_the_first_hundred_and_a_count()
    {
        var text = new StringBuilder("rules:\n");
        for (var i = 0; i < 5_000; i++)
        {
            text.Append($"  - {{ name: r{i}, effect: maybe }}\n");
        }

        var act = () => Load(text.ToString());

        var thrown = act.Should().Throw<PolicyBundleException>().Which;
        thrown.Errors.Should().HaveCount(PolicyBundleException.MaxReported + 1);
        thrown.Errors[^1].Message.Should().Contain("4,900 more errors");
        thrown.Message.Should().StartWith("The policy bundle has 5,000 errors:");
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_bundle_error()
    {
        var random = new Random(7);
        var alphabet = "[]{}:-,&*!|>'\"#%@`?\t\n  ab01".ToCharArray();
        for (var i = 0; i < 2_000; i++)
        {
            var chars = new char[random.Next(1, 80)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            try
            {
                Load(text);
            }
            catch (PolicyBundleException ex)
            {
                ex.Errors.Should().NotBeEmpty(because: "input {0} gave an empty error", text);
            }
        }
    }

    [Fact]
    public void A_link_to_an_endless_device_is_read_only_up_to_the_limit_and_refused()
    {
        var folder = Directory.CreateTempSubdirectory("mcpgw-endless-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "a.yaml"), "rules: [{ name: a, effect: allow }]");
            File.CreateSymbolicLink(Path.Combine(folder, "zero.yaml"), "/dev/zero");

            var act = () => Loader().Load(folder);

            act.Should().Throw<PolicyBundleException>().WithMessage("*zero.yaml*the limit is 8,388,608*");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_bundle_that_cannot_be_read_is_a_bundle_error()
    {
        var folder = Directory.CreateTempSubdirectory("mcpgw-unreadable-").FullName;
        try
        {
            // A directory named like a bundle file cannot be read as one.
            Directory.CreateDirectory(Path.Combine(folder, "rules.yaml"));
            File.WriteAllText(Path.Combine(folder, "rules.yaml", "inner.yaml"), "rules: [{ name: a, effect: allow }]");
            File.CreateSymbolicLink(Path.Combine(folder, "loop.yaml"), Path.Combine(folder, "loop.yaml"));

            var act = () => Loader().Load(folder);

            act.Should().Throw<PolicyBundleException>().WithMessage("*cannot be read*");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static McpGateway.Policies.Model.PolicyBundle Load(string text) =>
        Loader().Load([new PolicySource("bundle.yaml", Encoding.UTF8.GetBytes(text))]);

    private static PolicyBundleLoader Loader() => new(TestPolicies.Catalog(), TestPolicies.Environment);
}
