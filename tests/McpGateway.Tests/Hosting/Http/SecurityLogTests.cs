using McpGateway.Hosting.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace McpGateway.Tests.Hosting.Http;

public sealed class SecurityLogTests
{
    [Fact]
    public void A_flood_of_refusals_is_logged_up_to_the_burst_then_summarised()
    {
        var time = new FakeTimeProvider();
        var logger = new CollectingLogger();
        var log = new SecurityLog(logger, time);
        var context = new DefaultHttpContext();
        context.Request.Path = "/mcp";

        for (var i = 0; i < 1000; i++)
        {
            log.Refused(context, "invalid API key", "abcdefghijklmnop");
        }

        time.Advance(SecurityLog.Window);
        log.Refused(context, "no credential");

        logger.Messages.Count(m => m.Contains("Refused", StringComparison.Ordinal)).Should().Be(SecurityLog.Burst + 1);
        logger.Messages.Should().Contain(m => m.Contains($"{1000 - SecurityLog.Burst} more refusals", StringComparison.Ordinal));
    }

    [Fact]
    public void A_refusal_never_logs_the_presented_credential()
    {
        var logger = new CollectingLogger();
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer mgw_aaaaaaaaaaaaaaaa_secretsecretsecretsecretsecretsecretsecretsecretsecr";

        new SecurityLog(logger, TimeProvider.System).Refused(context, "invalid API key", "aaaaaaaaaaaaaaaa");

        logger.Messages.Should().ContainSingle().Which.Should().NotContain("secretsecret");
    }

    private sealed class CollectingLogger : ILogger<SecurityLog>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
