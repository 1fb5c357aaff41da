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

    [Theory]
    [InlineData("evil\r\n2026-11-29T00:00:00Z info: forged line")]
    [InlineData("\u001b[31mred\u001b[0m")]
    [InlineData("a\u0085b\u2028c\u2029d")]
    [InlineData("admin\u202egnp.exe")]
    [InlineData("x\u0000y\u007fz\u009b")]
    public void Nothing_a_peer_sends_reaches_the_log_unescaped(string hostile)
    {
        var logger = new CollectingLogger();
        var context = new DefaultHttpContext();
        context.Request.Method = "GET" + hostile;
        context.Request.Path = "/mcp" + hostile.Replace("\u0000", string.Empty, StringComparison.Ordinal);

        new SecurityLog(logger, TimeProvider.System).Refused(context, $"Host '{hostile}' is not one this gateway answers to", hostile);

        var line = logger.Messages.Should().ContainSingle().Subject;
        line.Where(c => char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator
            or System.Globalization.UnicodeCategory.Surrogate).Should().BeEmpty();
        line.Should().Contain("\\u");
    }

    [Fact]
    public void A_lone_surrogate_is_escaped_too()
    {
        var logger = new CollectingLogger();

        new SecurityLog(logger, TimeProvider.System).Refused(new DefaultHttpContext(), "Host '" + new string(['a', '\ud800', 'b']) + "'");

        logger.Messages.Single().Should().Contain("a\\ud800b");
    }

    [Fact]
    public void A_huge_host_is_cut_in_the_log()
    {
        var logger = new CollectingLogger();

        new SecurityLog(logger, TimeProvider.System).Refused(new DefaultHttpContext(), "Host '" + new string('h', 100_000) + "'");

        logger.Messages.Single().Length.Should().BeLessThan(1_000);
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
