using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Facts;

namespace Policies.Tests.Classifiers.Http;

public sealed class HttpPathNormalizationTests
{
    [Theory]
    [InlineData("/api/items", "/api/items")]
    [InlineData("/api/./items/../orders", "/api/orders")]
    [InlineData("/a/b/c/./../../g", "/a/g")]
    [InlineData("/api/%7Eme", "/api/~me")]
    [InlineData("/api/%7eme", "/api/~me")]
    [InlineData("/api/%41%62%2D%5f%30", "/api/Ab-_0")]
    [InlineData("/api/%c3%a9", "/api/%C3%A9")]
    [InlineData("/api/a%20b", "/api/a%20b")]
    [InlineData("/api/a%3ab", "/api/a:b")]
    [InlineData("/odata/%24batch", "/odata/$batch")]
    [InlineData("/api/users/%40admin/%21x%2A", "/api/users/@admin/!x*")]
    [InlineData("/api/%C3%A9t%c3%a9", "/api/%C3%A9t%C3%A9")]
    [InlineData("/", "/")]
    [InlineData("/.", "/")]
    [InlineData("/./", "/")]
    [InlineData("/api/..", "/")]
    [InlineData("/api/items/", "/api/items/")]
    [InlineData("/api/items/.", "/api/items/")]
    [InlineData("/api/items/..", "/api/")]
    [InlineData("/api/...", "/api/...")]
    [InlineData("/api/.hidden/..x", "/api/.hidden/..x")]
    [InlineData("/api/!$&'()*+,=:@", "/api/!$&'()*+,=:@")]
    [InlineData("/users/alice@example.com", "/users/alice@example.com")]
    public void Path_is_normalised_to_the_form_that_is_matched_and_sent(string path, string expected)
    {
        var result = HttpCalls.Path(path);

        result.Refusals.Should().BeEmpty();
        result.UnparsedReasons.Should().BeEmpty();
        result.Fact(HttpCallTool.Path).Should().Be(expected);
        result.Spec()!.Path.Should().Be(expected);
        result.Facts.Get(CommonFacts.Unparsed).Should().Be(FactValue.False);
    }

    [Theory]
    [InlineData("/api/%2e%2e/admin", "'%2e' at position 6, an encoded '.'")]
    [InlineData("/api/%2E/x", "an encoded '.'")]
    [InlineData("/api/%2F", "'%2F' at position 6, an encoded '/'")]
    [InlineData("/api/%2fadmin", "an encoded '/'")]
    [InlineData("/api/%252F", "an encoded '%'")]
    [InlineData("/api/%5c", "an encoded backslash")]
    [InlineData("/api/%00", "an encoded NUL")]
    [InlineData("/api/%3F", "an encoded '?'")]
    [InlineData("/api/%23", "an encoded '#'")]
    [InlineData("/api\\admin", "backslash ('\\') at position 5; it is refused because many servers treat '\\' as '/'")]
    [InlineData("/api/ x", "a space at position 6, which a URL path cannot hold literally; percent-encode it as %20")]
    [InlineData("/api/caf\u00e9", "'\u00e9' (U+00E9) at position 9, which a URL path cannot hold literally; percent-encode it as %C3%A9")]
    [InlineData("/api/\U0001F600", "(U+1F600) at position 6, which a URL path cannot hold literally; percent-encode it as %F0%9F%98%80")]
    [InlineData("/api/a\tb", "a tab (U+0009)")]
    [InlineData("/api/a\u0001b", "the control character U+0001")]
    [InlineData("/api/a\u0000b", "a NUL character (U+0000) at position 7, which a URL path cannot hold literally; remove it")]
    [InlineData("/api/<script>", "'<' at position 6")]
    [InlineData("/api/\"x\"", "'\"'")]
    [InlineData("/api/a^b", "'^'")]
    [InlineData("/api/a`b", "'`'")]
    [InlineData("/api/{id}", "'{'")]
    [InlineData("/api/a|b", "'|'")]
    [InlineData("/api/%zz", "invalid percent-encoding '%zz' at position 6")]
    [InlineData("/api/%4", "invalid percent-encoding '%4'")]
    [InlineData("/api/%", "invalid percent-encoding '%'")]
    [InlineData("/api/%g1/x", "invalid percent-encoding '%g1'")]
    [InlineData("/api//admin", "empty segment ('//')")]
    [InlineData("/api/items//", "empty segment ('//')")]
    [InlineData("/api/.//evil.example/x", "The path '/api//evil.example/x' has an empty segment")]
    [InlineData("/api/..;/admin", "segment '..;' contains ';'")]
    [InlineData("/admin;jsessionid=1", "segment 'admin;jsessionid=1' contains ';'")]
    [InlineData("/api/..%3b/admin", "contains an encoded ';' (%3B)")]
    [InlineData("/api/%c0%af/admin", "percent-encoded bytes '%C0%AF', which are not valid UTF-8")]
    [InlineData("/api/%C0%AE%C0%AE/admin", "percent-encoded bytes '%C0%AE%C0%AE', which are not valid UTF-8")]
    [InlineData("/api/%e0%80%af", "not valid UTF-8")]
    [InlineData("/api/%ed%a0%80", "not valid UTF-8")]
    [InlineData("/api/%80", "not valid UTF-8")]
    [InlineData("/api/%c3", "not valid UTF-8")]
    [InlineData("/api/%c3/%a9", "'%C3', which are not valid UTF-8")]
    [InlineData("/api/%ef%bc%8f/admin", "decodes to '\uFF0F' (U+FF0F), a character some servers turn into '/'")]
    [InlineData("/api/%e2%88%95", "(U+2215), a character some servers turn into '/'")]
    [InlineData("/api/%ef%bc%bc", "(U+FF3C), a character some servers turn into '\\'")]
    [InlineData("/api/%ef%bc%8e%ef%bc%8e/admin", "(U+FF0E), a character some servers turn into '.'")]
    [InlineData("/api/x%cd%be", "(U+037E), a character some servers turn into ';'")]
    [InlineData("/api/%e2%80%a5/x", "normalise (Unicode NFKC)")]
    [InlineData("/api/%e2%84%80", "normalise (Unicode NFKC)")]
    [InlineData("/api/items#top", "'#' at position 11, which starts a fragment")]
    [InlineData("/api/items?a=1#top", "which starts a fragment")]
    public void Path_a_server_could_read_differently_is_unparsed(string path, string reason)
    {
        var result = HttpCalls.Path(path);

        result.ShouldBeUnparsedBecause(reason);
    }

    [Fact]
    public void Encoded_dot_segments_are_kept_encoded_in_the_path_fact()
    {
        var result = HttpCalls.Path("/api/%2e%2e/admin");

        result.Fact(HttpCallTool.Path).Should().Be("/api/%2E%2E/admin");
        result.UnparsedReasons.Should().ContainSingle();
    }

    [Fact]
    public void Every_kind_of_problem_is_reported_once_at_its_first_position()
    {
        var result = HttpCalls.Path("/a b/c d/%2F/%2f/%zz/%xx");

        result.UnparsedReasons.Should().HaveCount(3);
        result.UnparsedReasons[0].Should().Contain("a space at position 3");
        result.UnparsedReasons[1].Should().Contain("'%2F' at position 10");
        result.UnparsedReasons[2].Should().Contain("'%zz' at position 18");
    }

    [Fact]
    public void Fragment_is_cut_off_before_the_rest_is_read()
    {
        var result = HttpCalls.Path("/api/items#/../../admin");

        result.Refusals.Should().BeEmpty();
        result.Fact(HttpCallTool.Path).Should().Be("/api/items");
        result.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("Remove '#' and everything after it");
    }

    [Theory]
    [InlineData("/../admin")]
    [InlineData("/..")]
    [InlineData("/./../admin")]
    [InlineData("/api/../../x")]
    [InlineData("/api/items/../../../etc/passwd")]
    public void Path_climbing_above_the_service_root_is_refused(string path)
    {
        var result = HttpCalls.Path(path);

        result.Refusals.Should().ContainSingle().Which.Should().Be(new McpGateway.Policies.Tools.Refusal(
            "leaves-service",
            "Argument 'path' climbs above the service's root with '..'; remove the '..' segments and give a path relative to the service, like /api/items."));
        result.Request.Should().BeNull();
        result.Facts.Get(HttpCallTool.Path).Should().BeNull();
    }

    [Theory]
    [InlineData("//evil.example/x", "starts with '//'")]
    [InlineData("//user@evil.example/x", "starts with '//'")]
    [InlineData("/\\evil.example/x", "starts with '/\\'")]
    [InlineData("\\\\evil.example/x", "starts with '\\\\'")]
    [InlineData("http://evil.example/", "absolute URL (scheme 'http:')")]
    [InlineData("HTTP://x", "absolute URL (scheme 'HTTP:')")]
    [InlineData("https:x", "absolute URL (scheme 'https:')")]
    [InlineData("https:/evil.example/x", "absolute URL (scheme 'https:')")]
    [InlineData("javascript:alert(1)", "absolute URL (scheme 'javascript:')")]
    [InlineData("file:///etc/passwd", "absolute URL (scheme 'file:')")]
    [InlineData("user@evil.example/x", "starts with 'user@evil.example', which reads as a host or user name")]
    [InlineData("127.0.0.1:8080/x", "starts with '127.0.0.1:8080', which reads as a host or user name")]
    [InlineData("@evil.example", "reads as a host or user name")]
    [InlineData("/api/..//evil.example", "becomes '//evil.example' once its '.' and '..' segments are resolved")]
    public void Path_that_leaves_the_service_is_refused(string path, string reason)
    {
        var result = HttpCalls.Path(path);

        var refusal = result.Refusals.Should().ContainSingle().Subject;
        refusal.Code.Should().Be("leaves-service");
        refusal.Reason.Should().Contain(reason).And.EndWith("give a path relative to the service, like /api/items.");
        result.Request.Should().BeNull();
    }

    [Theory]
    [InlineData("api/items")]
    [InlineData(" /api/items")]
    [InlineData("?a=1")]
    [InlineData("#top")]
    [InlineData("\\api")]
    [InlineData("%2Fapi")]
    public void Path_not_starting_with_a_slash_is_refused_with_the_fix(string path)
    {
        var result = HttpCalls.Path(path);

        result.Refusals.Should().ContainSingle().Which.Should().Be(new McpGateway.Policies.Tools.Refusal(
            "arguments",
            "Argument 'path' must start with '/': give a path relative to the service, like /api/items."));
    }

    [Fact]
    public void Long_paths_normalise_like_short_ones()
    {
        var segment = new string('a', 300);
        var result = HttpCalls.Path($"/api/{segment}/./x/../%7e%c3%a9");

        result.UnparsedReasons.Should().BeEmpty();
        result.Fact(HttpCallTool.Path).Should().Be($"/api/{segment}/~%C3%A9");
    }

    [Fact]
    public void Many_dot_dot_segments_in_a_long_path_are_resolved()
    {
        var path = "/" + string.Concat(Enumerable.Repeat("a/", 200)) + string.Concat(Enumerable.Repeat("../", 200)) + "x";

        HttpCalls.Path(path).Fact(HttpCallTool.Path).Should().Be("/x");
        HttpCalls.Path(path.Replace("/x", "/../x", StringComparison.Ordinal)).Codes().Should().Equal("leaves-service");
    }
}
