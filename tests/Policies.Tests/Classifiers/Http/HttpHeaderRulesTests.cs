using McpGateway.Policies.Classifiers.Http;

namespace Policies.Tests.Classifiers.Http;

public sealed class HttpHeaderRulesTests
{
    [Theory]
    [InlineData("Authorization")]
    [InlineData("AUTHORIZATION")]
    [InlineData("authorization")]
    [InlineData("Cookie")]
    [InlineData("Host")]
    [InlineData("Forwarded")]
    [InlineData("X-Forwarded-For")]
    [InlineData("x-forwarded-host")]
    [InlineData("X-Forwarded-Proto")]
    [InlineData("X-Real-IP")]
    [InlineData("X-Client-IP")]
    [InlineData("True-Client-IP")]
    [InlineData("X-Original-URL")]
    [InlineData("X-Rewrite-URL")]
    [InlineData("X-Original-Host")]
    [InlineData("X-Host")]
    [InlineData("Proxy-Authorization")]
    [InlineData("Proxy-Foo")]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("X-HTTP-Method")]
    [InlineData("X-Method-Override")]
    [InlineData("Content-Length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    [InlineData("Keep-Alive")]
    [InlineData("TE")]
    [InlineData("Trailer")]
    [InlineData("Upgrade")]
    [InlineData("Expect")]
    [InlineData("X-Originating-IP")]
    [InlineData("Client-IP")]
    [InlineData("CF-Connecting-IP")]
    [InlineData("CF-IPCountry")]
    [InlineData("Fastly-Client-IP")]
    [InlineData("X-Cluster-Client-IP")]
    [InlineData("X-Envoy-Original-Path")]
    [InlineData("X-Envoy-External-Address")]
    [InlineData("X-Original-Method")]
    [InlineData("X-Original-Forwarded-For")]
    [InlineData("X-Azure-ClientIP")]
    [InlineData("X-ProxyUser-Ip")]
    [InlineData("X-AppEngine-User-IP")]
    [InlineData("Via")]
    [InlineData("X_Forwarded_For")]
    [InlineData("X_Real_IP")]
    [InlineData("My-True-Client-IP")]
    [InlineData("X-Remote-Addr")]
    [InlineData("X-Remote-User")]
    [InlineData("Remote-User")]
    [InlineData("X-Forwarded-User")]
    [InlineData("X-Auth-Request-Email")]
    [InlineData("X-Amzn-Oidc-Identity")]
    [InlineData("X-MS-CLIENT-PRINCIPAL-NAME")]
    [InlineData("X-Goog-Authenticated-User-Email")]
    [InlineData("X-SSL-Client-Cert")]
    [InlineData("Remote-Groups")]
    [InlineData("Remote-Email")]
    [InlineData("X-Consumer-Username")]
    [InlineData("X-Pomerium-Claim-Email")]
    [InlineData("OIDC_CLAIM_email")]
    [InlineData("Tailscale-User-Login")]
    [InlineData("X-User-Email")]
    [InlineData("X-Auth-User")]
    [InlineData("X-Groups")]
    [InlineData("X-Roles")]
    [InlineData("Cf-Access-Jwt-Assertion")]
    public void Credential_routing_and_framing_headers_are_refused(string name)
    {
        var result = HttpCalls.Headers($$"""{"{{name}}": "x"}""");

        var refusal = result.Refusals.Should().ContainSingle().Subject;
        refusal.Code.Should().Be("forbidden-header");
        refusal.Reason.Should().StartWith($"Header '{name}' is not allowed: ")
            .And.EndWith("The gateway supplies credentials and routing itself; remove the header.");
        result.Request.Should().BeNull();
    }

    [Theory]
    [InlineData("X-Api-Key")]
    [InlineData("x-api-key")]
    [InlineData("X-API-KEY")]
    [InlineData("x_api_key")]
    [InlineData("X_API-KEY")]
    public void Credential_header_the_gateway_sets_for_the_service_is_refused(string name)
    {
        var result = HttpCalls.Headers($$"""{"{{name}}": "stolen"}""");

        result.Refusals.Should().ContainSingle().Which.Should().Be(new McpGateway.Policies.Tools.Refusal(
            "forbidden-header",
            $"Header '{name}' is not allowed: the gateway sets it for service 'billing'. The gateway supplies credentials and routing itself; remove the header."));
    }

    [Theory]
    [InlineData("Accept")]
    [InlineData("X-Request-Id")]
    [InlineData("If-None-Match")]
    [InlineData("X-Correlation-Id")]
    [InlineData("Content-Type")]
    public void Ordinary_headers_are_not_caught_by_the_families(string name)
    {
        HttpCalls.Headers($$"""{"{{name}}": "x"}""").Refusals.Should().BeEmpty();
    }

    [Fact]
    public void Credential_header_of_another_service_may_be_sent()
    {
        var result = HttpCalls.Headers("""{"X-Api-Key": "k"}""", service: "crm");

        result.Refusals.Should().BeEmpty();
        result.Spec()!.Headers.Select(h => $"{h.Key}: {h.Value}").Should().Equal("x-api-key: k");
    }

    [Theory]
    [InlineData("ok\r\nX-Injected: 1", "a carriage return (U+000D) at position 3 of its value")]
    [InlineData("ok\nHost: evil.example", "a line feed (U+000A) at position 3 of its value")]
    [InlineData("ok\u0000", "a NUL character (U+0000) at position 3")]
    [InlineData("\u0007", "the control character U+0007 at position 1")]
    [InlineData("a\u007fb", "the control character U+007F at position 2")]
    public void Control_characters_in_a_header_value_are_refused_as_injection(string value, string reason)
    {
        var json = new System.Text.Json.Nodes.JsonObject { ["X-Note"] = value }.ToJsonString();

        var refusal = HttpCalls.Headers(json).Refusals.Should().ContainSingle().Subject;

        refusal.Code.Should().Be("header-injection");
        refusal.Reason.Should().StartWith("Header 'X-Note' has ").And.Contain(reason);
    }

    [Fact]
    public void Line_break_in_a_header_name_is_refused_as_injection()
    {
        var result = HttpCalls.Headers("""{"X-A\r\nHost": "evil.example"}""");

        var refusal = result.Refusals.Should().ContainSingle().Subject;
        refusal.Code.Should().Be("header-injection");
        refusal.Reason.Should().Contain("Header name 'X-A\\u000D\\u000AHost' has a carriage return (U+000D) at position 4");
        refusal.Reason.Should().NotContain("\r").And.NotContain("\n");
    }

    [Fact]
    public void Tab_in_a_header_value_is_allowed()
    {
        HttpCalls.Headers("""{"X-Note": "a\tb"}""").Refusals.Should().BeEmpty();
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("x:y")]
    [InlineData(":authority")]
    [InlineData("x(y)")]
    [InlineData("caf\u00e9")]
    public void Header_name_that_is_not_a_token_is_refused(string name)
    {
        var json = new System.Text.Json.Nodes.JsonObject { [name] = "1" }.ToJsonString();

        var refusal = HttpCalls.Headers(json).Refusals.Should().ContainSingle().Subject;

        refusal.Code.Should().Be("arguments");
        refusal.Reason.Should().Contain($"Header name '{name}' is not a valid HTTP field name");
    }

    [Fact]
    public void Empty_header_name_is_refused()
    {
        HttpCalls.Headers("""{"": "1"}""").Refusals.Should().ContainSingle()
            .Which.Reason.Should().Contain("empty name");
    }

    [Fact]
    public void Header_given_twice_in_different_case_is_refused()
    {
        var result = HttpCalls.Headers("""{"Accept": "text/html", "accept": "application/json"}""");

        result.Refusals.Should().ContainSingle().Which.Should().Be(new McpGateway.Policies.Tools.Refusal(
            "arguments",
            "Header 'accept' is given more than once (also as 'Accept'; names ignore letter case): give each header once."));
    }

    [Fact]
    public void Header_value_that_is_not_a_string_is_refused()
    {
        var refusal = HttpCalls.Headers("""{"X-Count": 5}""").Refusals.Should().ContainSingle().Subject;

        refusal.Code.Should().Be("arguments");
        refusal.Reason.Should().Be("Header 'X-Count' must have a string value, not a number: write the value as a string, like \"application/json\".");
    }

    [Fact]
    public void Non_ascii_header_value_is_refused()
    {
        var refusal = HttpCalls.Headers("""{"X-Name": "\u010a"}""").Refusals.Should().ContainSingle().Subject;

        refusal.Code.Should().Be("arguments");
        refusal.Reason.Should().Contain("U+010A").And.Contain("must be ASCII");
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"accept: */*\"", "a string")]
    [InlineData("1", "a number")]
    public void Headers_that_are_not_an_object_are_refused(string headers, string kind)
    {
        var refusal = HttpCalls.Headers(headers).Refusals.Should().ContainSingle().Subject;

        refusal.Code.Should().Be("arguments");
        refusal.Reason.Should().StartWith("Argument 'headers' must be an object").And.Contain(kind);
    }

    [Fact]
    public void Null_headers_mean_none()
    {
        var result = HttpCalls.Headers("null");

        result.Refusals.Should().BeEmpty();
        result.Facts.Get(HttpCallTool.Headers)!.Items.Should().BeEmpty();
        result.Spec()!.Headers.Should().BeEmpty();
    }

    [Fact]
    public void Header_names_are_lower_cased_sorted_in_facts_and_kept_in_order_for_the_request()
    {
        var result = HttpCalls.Headers("""{"X-B": "1", "Accept": "2", "X-A": "3"}""");

        result.Refusals.Should().BeEmpty();
        result.Facts.Get(HttpCallTool.Headers)!.Items.Should().Equal("accept", "x-a", "x-b");
        result.Spec()!.Headers.Select(h => $"{h.Key}: {h.Value}").Should().Equal("x-b: 1", "accept: 2", "x-a: 3");
    }

    [Fact]
    public void Every_header_problem_is_reported()
    {
        var result = HttpCalls.Headers("""{"Authorization": "Bearer x", "X-Note": "a\nb", "bad name": "1", "Cookie": "c"}""");

        result.Codes().Should().Equal("forbidden-header", "header-injection", "arguments", "forbidden-header");
        result.Facts.Get(HttpCallTool.Headers)!.Items.Should().Equal("authorization", "cookie", "x-note");
    }
}
