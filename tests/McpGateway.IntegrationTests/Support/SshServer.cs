namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// The real OpenSSH server the test command starts once per run (<c>eng/sshd.sh</c>), as its
/// environment describes it. Without it, SSH tests skip locally and fail under <c>CI=true</c>.
/// </summary>
internal static class SshServer
{
    public static int Port => int.Parse(Required("MCPGW_TEST_SSH_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    public static string User => Required("MCPGW_TEST_SSH_USER");

    public static string Password => Required("MCPGW_TEST_SSH_PASSWORD");

    public static string KeyFile => Required("MCPGW_TEST_SSH_KEY");

    public static string HostKey => Required("MCPGW_TEST_SSH_HOST_KEY");

    public static string OtherHostKey => Required("MCPGW_TEST_SSH_OTHER_HOST_KEY");

    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("MCPGW_TEST_SSH_PORT") is { Length: > 0 } || Environment.GetEnvironmentVariable("CI") == "true"
            ? null
            : "no test sshd (run the tests through eng/test.sh, which starts one)";

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: the test sshd did not start (eng/test.sh starts it).");
}

/// <summary>A fact that needs the test sshd (see <see cref="SshServer"/>).</summary>
public sealed class SshFactAttribute : FactAttribute
{
    public SshFactAttribute()
    {
        Skip = SshServer.SkipReason;
    }
}
