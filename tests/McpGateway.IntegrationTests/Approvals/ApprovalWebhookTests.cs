using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Approvals;

/// <summary>
/// Approval notifications: generic JSON and Slack messages to real loopback receivers, signed,
/// retried after a failure, sent once by two gateways sharing one store, and never carrying the
/// unmasked request or a secret.
/// </summary>
public sealed class ApprovalWebhookTests : IAsyncLifetime
{
    private const string SigningKey = "hook-signing-key-5b0e1c7a93d2";
    private GatewayEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        File.WriteAllText(Path.Combine(_environment.Root, "hook.key"), SigningKey);
        File.WriteAllText(Path.Combine(_environment.Root, "generic.url"), new Uri(_environment.Service.BaseUrl, "hooks/flaky").ToString());
        File.WriteAllText(Path.Combine(_environment.Root, "slack.url"), new Uri(_environment.Service.BaseUrl, "hooks/ok").ToString());
        _environment.WriteConfiguration(false, timings: ApprovalFixture.Timings, approvals: new JsonObject
        {
            ["WaitWithoutProgress"] = "300ms",
            ["Webhooks"] = new JsonObject
            {
                ["ops"] = new JsonObject { ["Url"] = "{file:generic.url}", ["SigningKey"] = "{file:hook.key}" },
                ["chat"] = new JsonObject { ["Url"] = "{file:slack.url}", ["Format"] = "slack", ["SigningKey"] = "{file:hook.key}" },
            },
        });
        var config = JsonNode.Parse(File.ReadAllText(_environment.ConfigPath))!;
        config["McpGateway"]!["PublicUrl"] = "https://gateway.example.test/";
        File.WriteAllText(_environment.ConfigPath, config.ToJsonString());
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task New_requests_and_decisions_are_announced_once_signed_retried_and_without_the_request_itself()
    {
        _environment.Service.HookFailures = 1;
        await using var first = await GatewayServer.StartAsync(_environment);
        await using var second = await GatewayServer.StartAsync(_environment);
        await using var agent = await GatewayClients.HttpAsync(first, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);
        using var approver = new OperatorApi(second, await _environment.CreateKeyAsync("approver"));

        var pending = await agent.CallToolAsync("http_call", new Dictionary<string, object?>
        {
            ["service"] = "loopback",
            ["method"] = "POST",
            ["path"] = "/api/echo/announced",
            ["body"] = "{\"card\":\"4111111111111111\"}",
            ["justification"] = "customer asked for a refund",
        });
        var id = pending.ApprovalId();
        await approver.ApproveAsync(id, "verified");

        var generic = await ReceivedAsync("/hooks/flaky", 2 + 1);
        var slack = await ReceivedAsync("/hooks/ok", 2);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var delivered = generic.Where(r => r.Body.Contains(id, StringComparison.Ordinal)).ToList();
        delivered.Select(r => r.Headers["x-mcpgateway-delivery"]).Distinct().Should().HaveCount(2, "one message per event");
        delivered.Should().HaveCount(3, "the first attempt failed and was retried, and each message reached the receiver once more only for that");
        _environment.Service.Requests.Count(r => r.Target == "/hooks/ok").Should().Be(2, "two gateways share the store, and each message is sent by one of them");

        foreach (var request in generic.Concat(slack))
        {
            Verify(request).Should().BeTrue("every message is signed with the configured key");
            request.Body.Should().NotContain("4111111111111111").And.NotContain(GatewayEnvironment.ServiceToken).And.NotContain(SigningKey);
        }

        var requested = JsonNode.Parse(delivered.First(r => r.Body.Contains("approval.requested", StringComparison.Ordinal)).Body)!;
        requested["approvalId"]!.GetValue<string>().Should().Be(id);
        requested["requester"]!.GetValue<string>().Should().Be("test-agent");
        requested["tool"]!.GetValue<string>().Should().Be("http_call");
        requested["target"]!.GetValue<string>().Should().Be("loopback");
        requested["rules"]![0]!["rule"]!.GetValue<string>().Should().Be("agent-writes-need-approval");
        requested["justification"]!.GetValue<string>().Should().Be("customer asked for a refund");
        requested["link"]!.GetValue<string>().Should().Be($"https://gateway.example.test/api/approvals/{id}");
        var decided = JsonNode.Parse(delivered.First(r => r.Body.Contains("approval.decided", StringComparison.Ordinal)).Body)!;
        decided["status"]!.GetValue<string>().Should().Be("approved");
        decided["decidedBy"]!.GetValue<string>().Should().Be("approver");
        JsonNode.Parse(slack[0].Body)!["text"]!.GetValue<string>().Should().Contain(id).And.Contain("test-agent wants to run http_call on loopback");
    }

    private async Task<List<ReceivedRequest>> ReceivedAsync(string target, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var received = _environment.Service.Requests.Where(r => r.Target == target).ToList();
            if (received.Count >= count)
            {
                return received;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>The receiver's check: t=…,v1=HMAC-SHA256(key, t + "." + body), and not older than 5 minutes.</summary>
    private static bool Verify(ReceivedRequest request)
    {
        var parts = request.Headers["x-mcpgateway-signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts["t"], CultureInfo.InvariantCulture));
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningKey), Encoding.UTF8.GetBytes(parts["t"] + "." + request.Body)));
        return DateTimeOffset.UtcNow - sent < TimeSpan.FromMinutes(5)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts["v1"]));
    }
}
