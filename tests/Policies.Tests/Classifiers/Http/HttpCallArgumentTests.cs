using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Http;

public sealed class HttpCallArgumentTests
{
    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"GET /api\"", "a string")]
    [InlineData("null", "null")]
    [InlineData("42", "a number")]
    public void Arguments_that_are_not_an_object_are_refused(string json, string kind)
    {
        var result = HttpCalls.Classify(json);

        var refusal = result.Refusals.Should().ContainSingle().Subject;
        refusal.Code.Should().Be("arguments");
        refusal.Reason.Should().StartWith("The arguments must be a JSON object like {\"service\": \"billing\", \"method\": \"GET\", \"path\": \"/api/items\"}").And.EndWith($"not {kind}.");
        result.Target.Should().BeNull();
        result.Request.Should().BeNull();
    }

    [Fact]
    public void Default_json_element_is_refused_without_throwing()
    {
        var result = new HttpCallClassifier().Classify(default, HttpCalls.Environment);

        result.Codes().Should().Equal("arguments");
    }

    [Fact]
    public void Empty_object_names_every_required_argument_and_how_to_give_it()
    {
        var result = HttpCalls.Classify("{}");

        result.Refusals.Should().Equal(
            new Refusal("arguments", "Argument 'service' is required: give the name of a configured HTTP service (billing, crm)."),
            new Refusal("arguments", "Argument 'method' is required: give an HTTP method such as GET or POST."),
            new Refusal("arguments", "Argument 'path' is required: give a path relative to the service, like /api/items."));
    }

    [Fact]
    public void Every_argument_problem_is_reported_at_once()
    {
        var result = HttpCalls.Classify("""{"service": 1, "method": "", "path": null, "url": "http://x", "headers": [], "body": {"a": 1}}""");

        result.Refusals.Should().Equal(
            new Refusal("arguments", "Argument 'url' is not accepted: http_call takes only service, method, path, headers and body. Remove it."),
            new Refusal("arguments", "Argument 'service' must be a string, not a number: give the name of a configured HTTP service (billing, crm)."),
            new Refusal("arguments", "Argument 'method' is required and may not be empty: give an HTTP method such as GET or POST."),
            new Refusal("arguments", "Argument 'path' is required: give a path relative to the service, like /api/items."),
            new Refusal("arguments", "Argument 'headers' must be an object of header names to string values, like {\"accept\": \"application/json\"}, not an array; or leave it out."),
            new Refusal("arguments", "Argument 'body' must be a string, not an object: send JSON content as text, like \"{\\\"name\\\": \\\"x\\\"}\", or leave it out."));
        result.Target.Should().BeNull();
    }

    [Fact]
    public void Argument_given_twice_is_refused_so_no_reader_can_pick_the_other_one()
    {
        var result = HttpCalls.Classify("""{"service": "billing", "method": "GET", "path": "/api/items", "path": "/admin"}""");

        result.Refusals.Should().ContainSingle().Which.Should().Be(new Refusal("arguments", "Argument 'path' is given more than once: give it once."));
        result.Request.Should().BeNull();
    }

    [Fact]
    public void Argument_names_are_case_sensitive()
    {
        var result = HttpCalls.Classify("""{"service": "billing", "method": "GET", "Path": "/api/items"}""");

        result.Refusals.Select(r => r.Reason).Should().Equal(
            "Argument 'Path' is not accepted: http_call takes only service, method, path, headers and body. Remove it.",
            "Argument 'path' is required: give a path relative to the service, like /api/items.");
    }

    [Theory]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/a\ud800"}""", "Argument 'path' has an invalid \\u escape")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/a", "body": "\udc00"}""", "Argument 'body' has an invalid \\u escape")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/a", "headers": {"x": "\ud800"}}""", "The value of header 'x' has an invalid \\u escape")]
    [InlineData("""{"service": "billing", "method": "GET", "path": "/a", "headers": {"\ud800": "x"}}""", "A header name in 'headers' has an invalid \\u escape")]
    [InlineData("""{"\ud800": 1, "service": "billing", "method": "GET", "path": "/a"}""", "An argument name has an invalid \\u escape")]
    public void Unpaired_surrogate_escapes_are_refused_without_throwing(string json, string reason)
    {
        var result = HttpCalls.Classify(json);

        result.Refusals.Should().ContainSingle().Which.Reason.Should().StartWith(reason);
    }

    [Fact]
    public void Unknown_service_is_refused_with_the_configured_ones()
    {
        var result = HttpCalls.Classify("""{"service": "payroll", "method": "get", "path": "/api/items"}""");

        result.Refusals.Should().ContainSingle().Which.Should().Be(new Refusal(
            "unknown-target",
            "Service 'payroll' is not configured: use one of the configured HTTP services: billing, crm."));
        result.Target.Should().Be("payroll");
        result.Fact(HttpCallTool.Service).Should().Be("payroll");
        result.Fact(HttpCallTool.Method).Should().Be("GET");
        result.Fact(HttpCallTool.Path).Should().Be("/api/items");
    }

    [Fact]
    public void Unknown_service_says_when_none_are_configured()
    {
        var empty = new PolicyEnvironment([], [], [], ["default"]);

        var result = HttpCalls.Classify("""{"service": "billing", "method": "GET", "path": "/"}""", empty);

        result.Refusals.Should().ContainSingle().Which.Should().Be(new Refusal(
            "unknown-target",
            "Service 'billing' is not configured, and this gateway has no HTTP services configured, so http_call cannot be used."));
    }

    [Theory]
    [InlineData("\"billing\"", "billing")]
    [InlineData("\"\"", "")]
    [InlineData("7", null)]
    [InlineData("null", null)]
    public void Target_is_the_service_when_it_is_a_string(string service, string? target)
    {
        HttpCalls.Classify($$"""{"service": {{service}}, "method": "GET", "path": "/"}""").Target.Should().Be(target);
    }

    [Fact]
    public void Service_names_match_exactly()
    {
        HttpCalls.Classify("""{"service": "Billing", "method": "GET", "path": "/"}""").Codes().Should().Equal("unknown-target");
    }

    [Theory]
    [InlineData("get", "GET")]
    [InlineData("Post", "POST")]
    [InlineData("DELETE", "DELETE")]
    [InlineData("propfind", "PROPFIND")]
    public void Method_is_normalised_to_upper_case(string method, string expected)
    {
        var result = HttpCalls.Path("/api/items", method);

        result.Refusals.Should().BeEmpty();
        result.Fact(HttpCallTool.Method).Should().Be(expected);
        result.Spec()!.Method.Should().Be(expected);
    }

    [Theory]
    [InlineData("TRACE")]
    [InlineData("trace")]
    [InlineData("TRACK")]
    [InlineData("CONNECT")]
    [InlineData("connect")]
    public void Trace_and_connect_are_refused(string method)
    {
        var result = HttpCalls.Path("/api/items", method);

        var refusal = result.Refusals.Should().ContainSingle().Subject;
        refusal.Code.Should().Be("forbidden-method");
        refusal.Reason.Should().StartWith($"Method {method.ToUpperInvariant()} is not allowed: ");
        result.Fact(HttpCallTool.Method).Should().Be(method.ToUpperInvariant());
    }

    [Theory]
    [InlineData("GE T")]
    [InlineData(" GET")]
    [InlineData("GET ")]
    [InlineData("GET\r\n")]
    [InlineData("GET /admin HTTP/1.1\r\nHost: evil")]
    [InlineData("G\u00c9T")]
    [InlineData("GET(")]
    public void Method_that_is_not_a_token_is_refused(string method)
    {
        var result = HttpCalls.Path("/api/items", method);

        var refusal = result.Refusals.Should().ContainSingle().Subject;
        refusal.Code.Should().Be("arguments");
        refusal.Reason.Should().StartWith("Argument 'method' (").And.EndWith("is not a valid HTTP method: give an HTTP method such as GET or POST, without spaces or other separators.");
        refusal.Reason.Should().NotContain("\r").And.NotContain("\n");
        result.Facts.Get(HttpCallTool.Method).Should().BeNull();
    }

    [Theory]
    [InlineData(""", "body": "{\"name\": \"x\"}" """, true, 13)]
    [InlineData(""", "body": "h\u00e9llo" """, true, 6)]
    [InlineData(""", "body": "" """, true, 0)]
    [InlineData(""", "body": null """, false, 0)]
    [InlineData("", false, 0)]
    public void Body_facts_give_presence_and_utf8_size(string bodyJson, bool hasBody, long bytes)
    {
        var result = HttpCalls.Classify($$"""{"service": "billing", "method": "POST", "path": "/api/items"{{bodyJson}}}""");

        result.Refusals.Should().BeEmpty();
        result.Facts.Get(HttpCallTool.HasBody).Should().Be(FactValue.Of(hasBody));
        result.Facts.Get(HttpCallTool.BodyBytes).Should().Be(FactValue.Of(bytes));
        (result.Spec()!.Body is not null).Should().Be(hasBody);
    }

    [Fact]
    public void Request_sends_exactly_what_the_facts_describe()
    {
        var result = HttpCalls.Classify("""
            {"service": "billing", "method": "patch", "path": "/api/./orders/%7e42/../%34%32?Expand=%6cines&b=%c3%a9",
             "headers": {"Content-Type": "application/json", "If-Match": "\"v1\""}, "body": "{\"qty\": 2}"}
            """);

        result.Refusals.Should().BeEmpty();
        result.UnparsedReasons.Should().BeEmpty();
        result.Tool.Should().Be("http_call");
        result.Target.Should().Be("billing");
        var spec = result.Spec()!;
        spec.Should().BeEquivalentTo(new
        {
            Service = "billing",
            Method = "PATCH",
            Path = "/api/orders/42",
            Query = "Expand=lines&b=%C3%A9",
            Body = "{\"qty\": 2}",
        });
        spec.Headers.Select(h => $"{h.Key}: {h.Value}").Should().Equal("content-type: application/json", "if-match: \"v1\"");
        spec.RelativeTarget.Should().Be("/api/orders/42?Expand=lines&b=%C3%A9");

        result.Fact(HttpCallTool.Service).Should().Be(spec.Service);
        result.Fact(HttpCallTool.Method).Should().Be(spec.Method);
        result.Fact(HttpCallTool.Path).Should().Be(spec.Path);
        result.Fact(HttpCallTool.Query).Should().Be(spec.Query);
        result.Facts.Get(HttpCallTool.QueryKeys)!.Items.Should().Equal("Expand", "b");
        result.Facts.Get(HttpCallTool.Headers)!.Items.Should().Equal(spec.Headers.Select(h => h.Key).Order(StringComparer.Ordinal));
        result.Facts.Get(HttpCallTool.HasBody).Should().Be(FactValue.True);
        result.Facts.Get(HttpCallTool.BodyBytes).Should().Be(FactValue.Of(10L));
        result.Facts.Get(CommonFacts.Unparsed).Should().Be(FactValue.False);
        result.Facts.Get(CommonFacts.Complex).Should().Be(FactValue.False);
    }

    [Fact]
    public void Refused_call_still_reports_what_could_be_read()
    {
        var result = HttpCalls.Classify("""{"service": "billing", "method": "delete", "path": "/api/items/7", "headers": {"Authorization": "Bearer x"}}""");

        result.Codes().Should().Equal("forbidden-header");
        result.Request.Should().BeNull();
        result.Fact(HttpCallTool.Service).Should().Be("billing");
        result.Fact(HttpCallTool.Method).Should().Be("DELETE");
        result.Fact(HttpCallTool.Path).Should().Be("/api/items/7");
        result.Facts.Get(HttpCallTool.Headers)!.Items.Should().Equal("authorization");
        result.Facts.Get(CommonFacts.Unparsed).Should().Be(FactValue.False);
    }

    [Fact]
    public void Tool_descriptor_declares_every_fact_the_classifier_produces()
    {
        var descriptor = HttpCallTool.Create();

        var result = HttpCalls.Path("/api/items?a=1");

        result.Facts.Values.Keys.Should().OnlyContain(name => descriptor.Facts.ContainsKey(name));
        descriptor.Facts.Keys.Should().OnlyContain(name => result.Facts.Values.ContainsKey(name));
    }
}
