using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

public sealed class OperatorTests
{
    [Theory]
    // Scalars: a value means equals, a list means any-of.
    [InlineData("f.kind: select", """{"f.kind":"select"}""", true)]
    [InlineData("f.kind: select", """{"f.kind":"SELECT"}""", false)]
    [InlineData("f.kind: [select, show]", """{"f.kind":"show"}""", true)]
    [InlineData("f.kind: { equals: select }", """{"f.kind":"select"}""", true)]
    [InlineData("f.kind: { in: [a, b] }", """{"f.kind":"c"}""", false)]
    [InlineData("f.kind: { none: [a, b] }", """{"f.kind":"c"}""", true)]
    [InlineData("f.kind: { none: [a, b] }", """{"f.kind":"a"}""", false)]
    [InlineData("f.kind: { glob: 'sel*' }", """{"f.kind":"select"}""", true)]
    [InlineData("f.kind: { glob: ['x*', 'y*'] }", """{"f.kind":"select"}""", false)]
    [InlineData("f.readOnly: true", """{"f.readOnly":true}""", true)]
    [InlineData("f.readOnly: true", """{"f.readOnly":false}""", false)]
    [InlineData("f.size: { lessThan: 10 }", """{"f.size":9}""", true)]
    [InlineData("f.size: { lessThan: 10 }", """{"f.size":10}""", false)]
    [InlineData("f.size: { greaterThan: 10, lessThan: 20 }", """{"f.size":15}""", true)]
    [InlineData("f.size: { greaterThan: 10, lessThan: 20 }", """{"f.size":25}""", false)]
    // Lists: a value means contains; 'in' is a subset test; 'all' a superset test.
    [InlineData("f.tags: a", """{"f.tags":["a","b"]}""", true)]
    [InlineData("f.tags: [x, b]", """{"f.tags":["a","b"]}""", true)]
    [InlineData("f.tags: { in: [a, b, c] }", """{"f.tags":["a","b"]}""", true)]
    [InlineData("f.tags: { in: [a] }", """{"f.tags":["a","b"]}""", false)]
    [InlineData("f.tags: { all: [a, b] }", """{"f.tags":["a","b","c"]}""", true)]
    [InlineData("f.tags: { all: [a, d] }", """{"f.tags":["a","b","c"]}""", false)]
    [InlineData("f.tags: { any: [d, c] }", """{"f.tags":["a","b","c"]}""", true)]
    [InlineData("f.tags: { none: [d, c] }", """{"f.tags":["a","b","c"]}""", false)]
    [InlineData("f.tags: { none: [d] }", """{"f.tags":["a","b","c"]}""", true)]
    [InlineData("f.tags: { equals: [b, a] }", """{"f.tags":["a","b"]}""", true)]
    [InlineData("f.tags: { equals: [a] }", """{"f.tags":["a","b"]}""", false)]
    // An allow's glob over a list needs every item to match (a restricting rule's, any item).
    [InlineData("f.tags: { glob: 'b*' }", """{"f.tags":["a","bee"]}""", false)]
    [InlineData("f.tags: { glob: ['a', 'b*'] }", """{"f.tags":["a","bee"]}""", true)]
    // 'sequence': the whole list, in order, is one of the alternatives; a pattern per position.
    [InlineData("f.tags: { sequence: [[a, b]] }", """{"f.tags":["a","b"]}""", true)]
    [InlineData("f.tags: { sequence: [[a, b]] }", """{"f.tags":["b","a"]}""", false)]
    [InlineData("f.tags: { sequence: [[a, b]] }", """{"f.tags":["a","b","c"]}""", false)]
    [InlineData("f.tags: { sequence: [[a, b]] }", """{"f.tags":["a"]}""", false)]
    [InlineData("f.tags: { sequence: [[x], [a, b]] }", """{"f.tags":["x"]}""", true)]
    [InlineData("f.tags: { sequence: [[], [a]] }", """{"f.tags":[]}""", true)]
    [InlineData("f.tags: { sequence: [[a]] }", """{"f.tags":[]}""", false)]
    [InlineData("f.tags: { sequence: [[-p, <number>]] }", """{"f.tags":["-p","42"]}""", true)]
    [InlineData("f.tags: { sequence: [[-p, <number>]] }", """{"f.tags":["-p","4x"]}""", false)]
    [InlineData("f.tags: { sequence: [[-p, <number>]] }", """{"f.tags":["-p",""]}""", false)]
    [InlineData("f.tags: { sequence: [[-p, <number>]] }", """{"f.tags":["-P","42"]}""", false)]
    [InlineData("f.tags: { sequence: [[-u, <name>]] }", """{"f.tags":["-u","www-data"]}""", true)]
    [InlineData("f.tags: { sequence: [[-u, <name>]] }", """{"f.tags":["-u","-e"]}""", false)]
    [InlineData("f.tags: { sequence: [[-u, <name>]] }", """{"f.tags":["-u","a,b"]}""", false)]
    [InlineData("f.tags: { sequence: [['--since=*']] }", """{"f.tags":["--since=today"]}""", true)]
    // Word classes in globs of text facts.
    [InlineData("f.kind: { glob: 'v<number>' }", """{"f.kind":"v12"}""", true)]
    [InlineData("f.kind: { glob: 'v<number>' }", """{"f.kind":"v1a"}""", false)]
    [InlineData("f.kind: { glob: '<name>@<name>' }", """{"f.kind":"nginx@web-1"}""", true)]
    // A missing fact never satisfies a condition, even a negative one.
    [InlineData("f.kind: { none: [a] }", """{}""", false)]
    public void Operators_test_facts_as_documented(string condition, string facts, bool matches)
    {
        var engine = TestPolicies.Engine($$"""
            rules:
              - name: under-test
                when: { facts: { {{condition}} } }
                effect: allow
            """);

        var arguments = facts.Replace("{", "{\"target\":\"db-1\",", StringComparison.Ordinal).Replace(",}", "}", StringComparison.Ordinal);
        engine.Evaluate("agent-1", arguments).Effect.Should().Be(matches ? PolicyEffect.Allow : PolicyEffect.Deny);
    }

    [Fact]
    public void A_deny_glob_over_a_list_applies_when_any_item_matches()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: everything
                when: { tool: facts_tool }
                effect: allow
              - name: no-b
                when: { facts: { f.tags: { glob: 'b*' } } }
                effect: deny
            """);

        engine.Evaluate("agent-1", """{"target":"db-1","f.tags":["a","bee"]}""").Effect.Should().Be(PolicyEffect.Deny);
        engine.Evaluate("agent-1", """{"target":"db-1","f.tags":["a"]}""").Effect.Should().Be(PolicyEffect.Allow);
    }

    [Theory]
    [InlineData("/api/**", "/api/", true)]
    [InlineData("/api/**", "/api/a/b/c", true)]
    [InlineData("/api/**", "/api", false)]
    [InlineData("/api/*", "/api/a/b", false)]
    [InlineData("/api/*/items", "/api/7/items", true)]
    [InlineData("/api/**/items", "/api/items", true)]
    [InlineData("/api/**/items", "/api/a/b/items", true)]
    [InlineData("/api/?", "/api/ab", false)]
    [InlineData("/a.b", "/aXb", false)]
    public void Globs_treat_slash_as_a_separator(string pattern, string path, bool matches)
    {
        Glob.Compile(pattern).IsMatch(path).Should().Be(matches);
    }
}
