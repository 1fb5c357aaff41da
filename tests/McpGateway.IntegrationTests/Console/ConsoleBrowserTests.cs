using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Approvals;
using McpGateway.IntegrationTests.Support;
using Microsoft.Playwright;

namespace McpGateway.IntegrationTests.Console;

/// <summary>
/// The console in a real browser: headless Chromium driven by Playwright against a real
/// <c>serve --http</c>. An operator signs in, opens the request an agent's call is waiting on,
/// approves it with a reason, and the agent gets its result; an auditor's key opens the console
/// but not the request. No page loads anything from another host or logs a console error (a
/// Content-Security-Policy violation would). The screenshots in docs/console are taken here.
/// </summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private GatewayEnvironment _environment = null!;
    private GatewayServer _gateway = null!;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(false, timings: ApprovalFixture.Timings, approvals: new JsonObject { ["Wait"] = "60s", ["WaitWithoutProgress"] = "60s" });
        _gateway = await GatewayServer.StartAsync(_environment);
        if (ChromiumFactAttribute.Chromium is { } chromium)
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ChromiumArgs });
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _gateway.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [ChromiumFact]
    public async Task An_operator_approves_a_waiting_call_in_the_browser_and_the_agent_gets_its_result()
    {
        await using var agent = await GatewayClients.HttpAsync(_gateway, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);
        var waiting = agent.HttpCallWithProgressAsync("POST", "/api/echo/invoices/42/refund", new ConcurrentQueue<string>(), body: """{"amount":120,"currency":"EUR"}""", justification: "customer ticket 8812");

        var (page, requests, errors) = await NewPageAsync(new() { Width = 1100, Height = 800 });
        await page.GotoAsync(new Uri(_gateway.BaseUrl, "console/sign-in").ToString());
        await Screenshot(page, "sign-in.png");
        await page.GetByLabel("API key of an operator or auditor").FillAsync(await _environment.CreateKeyAsync("approver"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByText("Signed in as").WaitForAsync();

        // The request appears in the inbox once the agent's call is waiting.
        var link = page.Locator("a[href^='/console/approvals/']").First;
        for (var i = 0; i < 100 && await link.CountAsync() == 0; i++)
        {
            await Task.Delay(200);
            await page.ReloadAsync();
        }

        await Screenshot(page, "inbox.png");
        await link.ClickAsync();
        await page.GetByText("/api/echo/invoices/42/refund").First.WaitForAsync();
        await page.GetByLabel("Reason (recorded with the decision)").FillAsync("refund matches the ticket");
        await Screenshot(page, "request.png");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await page.GetByText("Decided by").WaitForAsync();

        var result = await waiting;
        result.IsError.Should().NotBe(true, result.Text());
        _environment.Service.Requests.Should().ContainSingle(r => r.Target == "/api/echo/invoices/42/refund");
        (await _environment.AuditEntriesAsync()).Should().Contain(e => e.Type == "approval.decided" && e.Ids.Identity == "approver" && e.Payload!.Contains("refund matches the ticket", StringComparison.Ordinal));
        (await page.ContentAsync()).Should().NotContain("value=\"approve\"", "a decided request has no buttons");

        requests.Should().OnlyContain(url => new Uri(url).Authority == _gateway.BaseUrl.Authority, "every asset is the gateway's own");
        errors.Should().BeEmpty("no page logs an error (a Content-Security-Policy violation would)");
    }

    [ChromiumFact]
    public async Task An_auditor_signs_in_but_cannot_open_a_request_and_an_agents_key_cannot_sign_in()
    {
        var (page, requests, errors) = await NewPageAsync(new() { Width = 420, Height = 800 });
        await page.GotoAsync(new Uri(_gateway.BaseUrl, "console/sign-in").ToString());
        await page.GetByLabel("API key of an operator or auditor").FillAsync(await _environment.CreateKeyAsync("test-agent"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).Should().Contain("neither the operator nor the auditor role");

        await page.GetByLabel("API key of an operator or auditor").FillAsync(await _environment.CreateKeyAsync("auditor"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByText("Signed in as").WaitForAsync();
        (await page.ContentAsync()).Should().NotContain("Pending approvals", "auditors do not decide");
        var response = await page.GotoAsync(new Uri(_gateway.BaseUrl, "console/approvals/apr_000000000000000000000001").ToString());
        response!.Status.Should().Be(403);

        requests.Should().OnlyContain(url => new Uri(url).Authority == _gateway.BaseUrl.Authority);
        errors.Where(e => !e.Contains("status of 401", StringComparison.Ordinal) && !e.Contains("status of 403", StringComparison.Ordinal))
            .Should().BeEmpty("the only errors are the refusals this test asks for");
    }

    private async Task<(IPage Page, ConcurrentQueue<string> Requests, ConcurrentQueue<string> Errors)> NewPageAsync(ViewportSize viewport)
    {
        var context = await _browser!.NewContextAsync(new() { ViewportSize = viewport });
        var page = await context.NewPageAsync();
        var requests = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Enqueue(error);
        return (page, requests, errors);
    }

    /// <summary>A screenshot for the README, in docs/console of the repository.</summary>
    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(GatewayProcess.RepositoryRoot, "docs", "console");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name), FullPage = true });
    }
}

/// <summary>
/// A test that drives the machine's Chromium (<c>MCPGW_TEST_CHROMIUM</c>, set by the test command,
/// or /usr/bin/chromium): it skips without one — except under CI=true, where it fails.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "No Chromium: eng/test.sh installs it (apt-get install chromium); under CI=true this test fails instead of skipping.";
        }
    }

    public static string? Chromium { get; } =
        Environment.GetEnvironmentVariable("MCPGW_TEST_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured) ? configured
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : null;
}
