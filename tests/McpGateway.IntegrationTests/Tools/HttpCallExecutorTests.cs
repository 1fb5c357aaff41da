using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.IntegrationTests.Support;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Tools.HttpCall;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.IntegrationTests.Tools;

/// <summary>The http_call backend against a real HTTP service on loopback.</summary>
public sealed class HttpCallExecutorTests : IAsyncLifetime
{
    private const string Token = "svc-token-4b1d9a7e3c";
    private readonly string _secrets = Directory.CreateTempSubdirectory("mcpgw-http-").FullName;
    private LoopbackService _service = null!;
    private ServiceProvider _provider = null!;
    private HttpCallExecutor _executor = null!;
    private HeldSecrets _held = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_secrets, "token"), Token);
        _service = await LoopbackService.StartAsync();
        _held = new HeldSecrets(TimeProvider.System);
        _provider = new ServiceCollection().AddSingleton(TimeProvider.System).AddSingleton(_held).AddHttpCallBackend().BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _executor = _provider.GetRequiredService<HttpCallExecutor>();
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _service.DisposeAsync();
        Directory.Delete(_secrets, recursive: true);
    }

    [Theory]
    [InlineData("/api/echo/caf%C3%A9", null, "/api/echo/caf%C3%A9")]
    [InlineData("/api/echo/a:b@c", "q=a%2Fb&x=%3D", "/api/echo/a:b@c?q=a%2Fb&x=%3D")]
    [InlineData("/api/echo/!$&'()*+,;=", null, "/api/echo/!$&'()*+,;=")]
    public async Task The_normalised_target_is_sent_byte_for_byte(string path, string? query, string received)
    {
        var result = await SendAsync(Spec("GET", path, query));

        Echoed(result).GetProperty("rawTarget").GetString().Should().Be(received);
    }

    [Fact]
    public async Task A_base_path_prefixes_the_call_path()
    {
        var service = Service(Bearer(), new Uri(_service.BaseUrl, "api/"));

        var result = await _executor.ExecuteAsync(Spec("GET", "/echo/x", null), service, HttpCallLimits.Default, CancellationToken.None);

        Echoed(result).GetProperty("rawTarget").GetString().Should().Be("/api/echo/x");
    }

    [Fact]
    public async Task Bearer_credentials_are_added_by_the_gateway()
    {
        var result = await SendAsync(Spec("GET", "/api/echo", null));

        _service.LastEchoHeaders["authorization"].Should().Be("Bearer " + Token);
        Echoed(result).GetProperty("headers").GetProperty("authorization").GetString().Should().Be("Bearer [REDACTED]", "the echo of the held secret is redacted");
    }

    [Fact]
    public async Task Basic_and_header_credentials_are_added_by_the_gateway()
    {
        var password = SecretReference.TryParse("{file:token}", _secrets, out _);
        var basic = Service(new HttpAuthOptions(null, "svc", password, null, null));
        var header = Service(new HttpAuthOptions(null, null, null, "X-Api-Key", password));

        await _executor.ExecuteAsync(Spec("GET", "/api/echo", null), basic, HttpCallLimits.Default, CancellationToken.None);
        var sentBasic = _service.LastEchoHeaders["authorization"];
        var viaHeader = await _executor.ExecuteAsync(Spec("GET", "/api/echo", null), header, HttpCallLimits.Default, CancellationToken.None);
        var sentHeader = _service.LastEchoHeaders["x-api-key"];

        sentBasic.Should().Be("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:" + Token)));
        sentHeader.Should().Be(Token);
        viaHeader.Body.Should().NotContain(Token);
    }

    [Fact]
    public async Task Method_headers_and_body_are_sent_as_classified()
    {
        var spec = Spec("PATCH", "/api/echo", null) with
        {
            Headers = [KeyValuePair.Create("content-type", "application/json"), KeyValuePair.Create("accept", "application/json")],
            Body = """{"amount":10}""",
        };

        var echoed = Echoed(await SendAsync(spec));

        echoed.GetProperty("method").GetString().Should().Be("PATCH");
        echoed.GetProperty("body").GetString().Should().Be("""{"amount":10}""");
        echoed.GetProperty("headers").GetProperty("content-type").GetString().Should().Be("application/json");
    }

    [Fact]
    public async Task Redirects_are_returned_not_followed()
    {
        var result = await SendAsync(Spec("GET", "/api/redirect", null));

        result.Status.Should().Be(302);
        result.Headers["location"].Should().Be("http://127.0.0.1:1/elsewhere");
    }

    [Fact]
    public async Task Bodies_over_the_cap_are_truncated_and_marked()
    {
        var result = await _executor.ExecuteAsync(Spec("GET", "/api/big", "size=5000"), Service(Bearer()), HttpCallLimits.Default with { MaxResponseBytes = 1000 }, CancellationToken.None);

        result.Truncated.Should().BeTrue();
        result.BodyBytes.Should().Be(1000);
        result.Body.Should().HaveLength(1000);
    }

    [Fact]
    public async Task Binary_bodies_are_summarised()
    {
        var result = await SendAsync(Spec("GET", "/api/binary", null));

        result.BodyKind.Should().Be("binary");
        result.Body.Should().Be("[7 bytes of application/octet-stream, not shown]");
    }

    [Fact]
    public async Task A_slow_service_stops_when_the_call_is_cancelled()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var act = () => _executor.ExecuteAsync(Spec("GET", "/api/slow", "ms=5000"), Service(Bearer()), HttpCallLimits.Default, deadline.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4), "the request is abandoned, not waited out");
    }

    [Fact]
    public async Task An_unreachable_service_is_a_clear_error()
    {
        var act = () => _executor.ExecuteAsync(Spec("GET", "/x", null), Service(Bearer(), new Uri("http://127.0.0.1:1/")), HttpCallLimits.Default, CancellationToken.None);

        await act.Should().ThrowAsync<ToolCallException>().WithMessage("*could not be reached (connection refused or reset)*");
    }

    [Fact]
    public async Task A_missing_credential_stops_the_call_before_it_is_sent()
    {
        var missing = Service(new HttpAuthOptions(SecretReference.TryParse("{file:nope}", _secrets, out _), null, null, null, null));

        var act = () => _executor.ExecuteAsync(Spec("GET", "/api/flaky", null), missing, HttpCallLimits.Default, CancellationToken.None);

        await act.Should().ThrowAsync<ToolCallException>().WithMessage("*credential for service 'loopback' is not available*");
        _service.FlakyHits.Should().Be(0);
    }

    [Fact]
    public async Task Only_safe_methods_are_retried()
    {
        var get = await SendAsync(Spec("GET", "/api/flaky", null));
        var afterGet = _service.FlakyHits;
        var post = await SendAsync(Spec("POST", "/api/flaky", null));

        get.Status.Should().Be(503);
        afterGet.Should().Be(3, "a GET is tried three times");
        post.Status.Should().Be(503);
        (_service.FlakyHits - afterGet).Should().Be(1, "a POST is never repeated");
    }

    [Fact]
    public async Task A_service_that_keeps_failing_is_paused_by_the_circuit_breaker()
    {
        var outcomes = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            try
            {
                outcomes.Add((await SendAsync(Spec("POST", "/api/status/503", null))).Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (ToolCallException ex)
            {
                outcomes.Add(ex.Message);
            }
        }

        outcomes.Should().StartWith(Enumerable.Repeat("503", 10));
        outcomes.Last().Should().Contain("failing repeatedly, so calls to it are paused");
    }

    [Theory]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(70)]
    [InlineData(75)]
    public async Task A_cut_body_never_keeps_part_of_a_held_secret(int padding)
    {
        var limits = HttpCallLimits.Default with { MaxResponseBytes = 85 };

        var result = await _executor.ExecuteAsync(Spec("GET", "/api/reflect", "pad=" + new string('p', padding)), Service(Bearer()), limits, CancellationToken.None);

        result.Truncated.Should().BeTrue();
        for (var i = 0; i + 6 <= Token.Length; i++)
        {
            result.Body.Should().NotContain(Token.Substring(i, 6), "no six characters of the token survive the cut");
        }
    }

    [Fact]
    public async Task Redaction_shrinking_a_long_body_does_not_bring_a_cut_secret_into_view()
    {
        var limits = HttpCallLimits.Default with { MaxResponseBytes = 100 * 1024 };

        var result = await _executor.ExecuteAsync(Spec("GET", "/api/repeat", "times=20000"), Service(Bearer()), limits, CancellationToken.None);

        result.Truncated.Should().BeTrue();
        for (var i = 0; i + 6 <= Token.Length; i++)
        {
            result.Body.Should().NotContain(Token.Substring(i, 6), "no part of a secret survives, even where the read stopped");
        }
    }

    [Fact]
    public async Task A_secret_rotated_since_the_last_refresh_is_redacted_all_the_same()
    {
        File.WriteAllText(Path.Combine(_secrets, "token"), "rotated-svc-token-77f0c1");

        var result = await SendAsync(Spec("GET", "/api/reflect", null));

        result.Body.Should().NotContain("rotated-svc-token-77f0c1").And.Contain("[REDACTED]");
    }

    [Fact]
    public async Task A_credential_too_short_to_redact_is_not_sent()
    {
        File.WriteAllText(Path.Combine(_secrets, "token"), "abc");

        var act = () => SendAsync(Spec("GET", "/api/flaky", null));

        await act.Should().ThrowAsync<ToolCallException>().WithMessage("*credential*not available*");
        _service.FlakyHits.Should().Be(0);
    }

    [Fact]
    public async Task Every_checked_header_is_sent_even_those_dotnet_files_as_content_headers()
    {
        string[] names = ["expires", "allow", "last-modified", "content-language", "x-request-id"];
        var spec = Spec("POST", "/api/echo", null) with
        {
            Headers = [.. names.Select(n => KeyValuePair.Create(n, "v-" + n))],
            Body = "{}",
        };

        await SendAsync(spec);

        foreach (var name in names)
        {
            _service.LastEchoHeaders.Should().ContainKey(name).WhoseValue.Should().Be("v-" + name);
        }
    }

    [Fact]
    public async Task A_body_the_server_leaves_unread_never_becomes_a_second_request()
    {
        // A server that reads no body at all: the worst case for an agent-chosen body.
        await using var careless = new RawHttpBackend();
        var service = Service(Bearer(), careless.BaseUrl);
        const string Smuggled = "DELETE /api/items/7 HTTP/1.1\r\nHost: x\r\n\r\n";

        var write = await _executor.ExecuteAsync(Spec("POST", "/api/items", null) with { Body = Smuggled }, service, HttpCallLimits.Default, CancellationToken.None);
        var read = await _executor.ExecuteAsync(Spec("GET", "/api/items", null), service, HttpCallLimits.Default, CancellationToken.None);
        await Task.Delay(200);

        write.Status.Should().Be(200);
        read.Status.Should().Be(200);
        careless.Requests.Select(r => r.RequestLine).Should().Equal("POST /api/items HTTP/1.1", "GET /api/items HTTP/1.1");
        careless.Requests[1].Connection.Should().NotBe(careless.Requests[0].Connection, "the connection that carried a body is not reused");
    }

    [Fact]
    public async Task Reads_share_a_kept_alive_connection()
    {
        await using var backend = new RawHttpBackend();
        var service = Service(Bearer(), backend.BaseUrl);

        await _executor.ExecuteAsync(Spec("GET", "/a", null), service, HttpCallLimits.Default, CancellationToken.None);
        await _executor.ExecuteAsync(Spec("GET", "/b", null), service, HttpCallLimits.Default, CancellationToken.None);

        backend.Requests.Select(r => r.Connection).Distinct().Should().ContainSingle("requests without a body keep the pool's connection");
    }

    private Task<HttpCallResult> SendAsync(HttpRequestSpec spec) =>
        _executor.ExecuteAsync(spec, Service(Bearer()), HttpCallLimits.Default, CancellationToken.None);

    private static HttpRequestSpec Spec(string method, string path, string? query) =>
        new("loopback", method, path, query, ImmutableArray<KeyValuePair<string, string>>.Empty, null);

    private HttpAuthOptions Bearer() => new(SecretReference.TryParse("{file:token}", _secrets, out _), null, null, null, null);

    private HttpServiceOptions Service(HttpAuthOptions auth, Uri? baseUrl = null) => new("loopback", baseUrl ?? _service.BaseUrl, auth);

    private static JsonElement Echoed(HttpCallResult result)
    {
        result.Status.Should().Be(200, result.Body);
        return JsonDocument.Parse(result.Body).RootElement;
    }
}
