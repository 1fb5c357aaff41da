using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Facts;

namespace Policies.Tests.Classifiers.Http;

public sealed class HttpQueryNormalizationTests
{
    [Theory]
    [InlineData("/api/items?b=2&a=1", "b=2&a=1", "b|a")]
    [InlineData("/x?%7e=%2e", "~=.", "~")]
    [InlineData("/x?a=%2f", "a=%2F", "a")]
    [InlineData("/x?a=%2F%25%23%3f", "a=%2F%25%23%3F", "a")]
    [InlineData("/x?a=%c3%a9&%C3%A9=1", "a=%C3%A9&%C3%A9=1", "a|\u00e9")]
    [InlineData("/x?a+b=1", "a+b=1", "a+b|a b|a_b")]
    [InlineData("/x?a=1;debug=1", "a=1;debug=1", "a|debug")]
    [InlineData("/x?debug%5B%5D=1", "debug%5B%5D=1", "debug[]|debug")]
    [InlineData("/x?debug%5Bx%5D=1&debug=2", "debug%5Bx%5D=1&debug=2", "debug[x]|debug")]
    [InlineData("/x?a%20b=1", "a%20b=1", "a b|a_b")]
    [InlineData("/x?a=1&a=2&b", "a=1&a=2&b", "a|b")]
    [InlineData("/x?a=1&&=2&b", "a=1&&=2&b", "a|b")]
    [InlineData("/x?q=a/b?c:d@e", "q=a/b?c:d@e", "q")]
    [InlineData("/x?a=%FF", "a=%FF", "a")]
    [InlineData("/x?%61dmin=1&admin=2", "admin=1&admin=2", "admin")]
    [InlineData("/x?%2e%2e/=1", "../=1", "../|__/")]
    public void Query_is_normalised_and_its_keys_listed(string path, string query, string keys)
    {
        var result = HttpCalls.Path(path);

        result.UnparsedReasons.Should().BeEmpty();
        result.Fact(HttpCallTool.Query).Should().Be(query);
        result.Facts.Get(HttpCallTool.QueryKeys)!.Items.Should().Equal(keys.Split('|'));
        result.Spec()!.Query.Should().Be(query);
    }

    [Theory]
    [InlineData("/x")]
    [InlineData("/x?")]
    public void Call_without_a_query_has_an_empty_query_fact_and_sends_none(string path)
    {
        var result = HttpCalls.Path(path);

        result.Fact(HttpCallTool.Path).Should().Be("/x");
        result.Fact(HttpCallTool.Query).Should().BeEmpty();
        result.Facts.Get(HttpCallTool.QueryKeys)!.Items.Should().BeEmpty();
        result.Spec()!.Query.Should().BeNull();
        result.Spec()!.RelativeTarget.Should().Be("/x");
    }

    [Fact]
    public void Query_keeps_dot_segments_and_the_path_does_not_see_them()
    {
        var result = HttpCalls.Path("/api/items?next=/../../admin");

        result.Fact(HttpCallTool.Path).Should().Be("/api/items");
        result.Fact(HttpCallTool.Query).Should().Be("next=/../../admin");
        result.Refusals.Should().BeEmpty();
    }

    [Theory]
    [InlineData("/x?a=%zz", "The query has an invalid percent-encoding '%zz' at position 6")]
    [InlineData("/x?a=%", "write a literal '%' as %25")]
    [InlineData("/x?a=b c", "The query has a space at position 7, which a URL query cannot hold literally; percent-encode it as %20")]
    [InlineData("/x?a=\\", "a backslash ('\\') at position 6, which a URL query cannot hold literally; percent-encode it as %5C")]
    [InlineData("/x?a=\u00e9", "percent-encode it as %C3%A9")]
    [InlineData("/x?a=[1]", "'['")]
    [InlineData("/x?a=\r\n", "a carriage return (U+000D)")]
    [InlineData("/x?a=1#frag", "which starts a fragment")]
    public void Query_a_server_could_read_differently_is_unparsed(string path, string reason)
    {
        var result = HttpCalls.Path(path);

        result.ShouldBeUnparsedBecause(reason);
    }

    [Fact]
    public void Query_problems_are_reported_after_path_problems()
    {
        var result = HttpCalls.Path("/a b?c d");

        result.UnparsedReasons.Should().HaveCount(2);
        result.UnparsedReasons[0].Should().StartWith("The path has a space at position 3");
        result.UnparsedReasons[1].Should().StartWith("The query has a space at position 7");
    }
}
