namespace Policies.Tests.Classifiers.Http;

public sealed class HttpMethodOverrideTests
{
    [Theory]
    [InlineData("/api/items/1?_method=DELETE")]
    [InlineData("/api/items/1?a=1&_METHOD=delete")]
    [InlineData("/api/items/1?%5Fmethod=DELETE")]
    [InlineData("/api/items/1?_%6Dethod=DELETE")]
    [InlineData("/api/items/1?a=1;_method=DELETE")]
    [InlineData("/api/items/1?_method[]=DELETE")]
    [InlineData("/api/items/1?_method%5B%5D=DELETE")]
    [InlineData("/api/items/1?.method=DELETE")]
    [InlineData("/api/items/1?+.method=DELETE")]
    [InlineData("/api/items/1?%20%20.method=DELETE")]
    [InlineData("/api/items/1?_method%00=DELETE")]
    [InlineData("/api/items/1?%5Bmethod=DELETE")]
    public void A_method_override_in_the_query_is_refused(string path)
    {
        var result = HttpCalls.Path(path, "POST");

        result.Codes().Should().Contain("forbidden-method");
        result.Refusals.Should().Contain(r => r.Reason.Contains("'_method'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/items?sort=+method")]
    [InlineData("/api/items?sort=-method,_method")]
    [InlineData("/api/items?q=%5Fmethod")]
    public void A_value_that_spells_an_override_is_not_one(string path)
    {
        HttpCalls.Path(path, "POST").Codes().Should().NotContain("forbidden-method");
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "name=x&_method=DELETE", true)]
    [InlineData("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"_method\"\r\n\r\nDELETE\r\n--b--", true)]
    [InlineData("application/x-www-form-urlencoded", "name=x&%5Fmethod=DELETE", true)]
    [InlineData("application/x-www-form-urlencoded", "name=x&_%6Dethod=DELETE", true)]
    [InlineData("application/x-www-form-urlencoded", "name=x;_Method=DELETE", true)]
    [InlineData("application/x-www-form-urlencoded", "_method[x]=DELETE", true)]
    [InlineData("text/plain", "name=x&_method=DELETE", true)]
    [InlineData("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=_method\r\n\r\nDELETE\r\n--b--", true)]
    [InlineData("multipart/form-data; boundary=b", "--b\r\ncontent-disposition: form-data; name*=UTF-8''%5Fmethod\r\n\r\nDELETE\r\n--b--", true)]
    [InlineData("application/json", "{\"_method\":\"DELETE\"}", true)]
    [InlineData("application/json", "{\"\\u005fmethod\":\"DELETE\"}", true)]
    [InlineData("application/x-www-form-urlencoded", ".method=DELETE", true)]
    [InlineData("application/x-www-form-urlencoded", "a=1&+.method=DELETE", true)]
    [InlineData("application/x-www-form-urlencoded", "_method%00=DELETE", true)]
    [InlineData("application/json", "\uFEFF{\"_method\":\"DELETE\"}", true)]
    [InlineData("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"x\"; name=\"_method\"\r\n\r\nDELETE\r\n--b--", true)]
    [InlineData("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; filename=\"a;name=x\"; name=\"_method\"\r\n\r\nDELETE\r\n--b--", true)]
    [InlineData("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"\\_method\"\r\n\r\nDELETE\r\n--b--", true)]
    [InlineData("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data\r\n ; name=\"_method\"\r\n\r\nDELETE\r\n--b--", true)]
    [InlineData("application/json", "{\"http_method\": \"DELETE\", \"method\": \"x\", \"_methods\": 1}", false)]
    [InlineData("application/x-www-form-urlencoded", "request_method=DELETE&methodology=x", false)]
    [InlineData("application/x-www-form-urlencoded", "sort=+method&order=.method", false)]
    [InlineData("application/json", "{\"text\":\"It failed. Method two works.\",\"sort\":\"+method\",\"x\":\"_method\"}", false)]
    [InlineData("text/yaml", "payment:\n  method: card\n", false)]
    [InlineData("text/markdown", "- method A\n- the _method field\n", false)]
    [InlineData("text/plain", "x\n_method=DELETE", true)]
    [InlineData("application/x-www-form-urlencoded", "a=1&%20.method=DELETE", true)]
    public void A_method_override_in_a_body_is_refused_however_it_is_spelled(string contentType, string body, bool refused)
    {
        var result = HttpCalls.Classify(System.Text.Json.JsonSerializer.Serialize(new { service = "billing", method = "POST", path = "/api/items/1", headers = new Dictionary<string, string> { ["Content-Type"] = contentType }, body }));

        result.Codes().Contains("forbidden-method").Should().Be(refused);
    }

    [Fact]
    public void An_override_inside_json_nested_deeper_than_the_parser_likes_is_still_refused()
    {
        var body = "{\"_method\":\"DELETE\",\"x\":" + new string('[', 700) + new string(']', 700) + "}";

        var result = HttpCalls.Classify(System.Text.Json.JsonSerializer.Serialize(new { service = "billing", method = "POST", path = "/api/items/1", body }));

        result.Codes().Should().Contain("forbidden-method");
    }
}
