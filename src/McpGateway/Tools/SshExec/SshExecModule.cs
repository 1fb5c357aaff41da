using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Shell;
using McpGateway.Policies.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tools.SshExec;

/// <summary><c>ssh_exec</c>: commands on registered hosts (<c>Targets:Ssh</c>), decided on their parsed argv.</summary>
public sealed class SshExecModule : IGatewayToolModule
{
    private static readonly JsonElement Input = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "host": { "type": "string", "description": "Name of a registered host." },
            "command": { "type": "string", "description": "A POSIX shell command line, for example 'df -h /var' or 'journalctl -u nginx -n 50 | grep error'. It is parsed, and every program, argument, redirection and substitution is checked." },
            "timeoutSeconds": { "type": "integer", "minimum": 1, "description": "Stop the command after this many seconds (within the policy's own timeout)." }
          },
          "required": ["host", "command"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private static readonly JsonElement Output = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "callId": { "type": "string" },
            "host": { "type": "string" },
            "exitCode": { "type": ["integer", "null"], "description": "The command's exit status; null when it ended by a signal or was stopped." },
            "signal": { "type": ["string", "null"], "description": "The signal that ended it, when one did (TERM after a timeout)." },
            "stdout": { "type": "string" },
            "stderr": { "type": "string" },
            "truncated": { "type": "boolean", "description": "Output was cut at the size limit." },
            "timedOut": { "type": "boolean" },
            "mayStillBeRunning": { "type": "boolean", "description": "The host did not confirm that a stopped command ended." },
            "durationMs": { "type": "integer" }
          },
          "required": ["callId", "host", "exitCode", "stdout", "stderr", "truncated", "timedOut", "mayStillBeRunning", "durationMs"]
        }
        """).RootElement.Clone();

    public ToolDescriptor Policy { get; } = SshExecTool.Create();

    public ITargetKind Targets { get; } = new SshHostReader();

    public ToolDeclaration Describe(IReadOnlyList<string> usableTargets) => new(
        SshExecTool.Name,
        "Run a command on a registered host",
        $"""
        Run one shell command line on a registered host over SSH; the gateway logs in with its own credentials. Hosts you may use: {string.Join(", ", usableTargets)}.
        The command is parsed as a POSIX shell would read it, and every program it would run is checked against policy — pipes and ';' included; substitutions ($(…), backticks), variables, globs, background jobs and file writes are usually refused. Write plain commands with literal arguments and absolute paths.
        The result has exitCode, stdout, stderr (cut at a size limit: see `truncated`) and a `callId`. A call may be refused with a reason, or need an operator's approval.
        """,
        Input,
        Output,
        ReadOnly: false,
        Destructive: true,
        Idempotent: false,
        OpenWorld: false);

    /// <summary>What an approver sees: each program with its arguments, as it will run, and the exact command sent.</summary>
    public ToolPreview? Preview(object request)
    {
        if (request is not SshExecRequest exec)
        {
            return null;
        }

        var stages = new JsonArray([.. exec.Stages.Select(s => (JsonNode?)new JsonObject
        {
            ["program"] = s.Program,
            ["arguments"] = new JsonArray([.. s.Arguments.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["wrappers"] = new JsonArray([.. s.Wrappers.Select(w => (JsonNode?)JsonValue.Create(w))]),
            ["writes"] = new JsonArray([.. s.Writes.Select(w => (JsonNode?)JsonValue.Create(w))]),
        })]);
        var argv = string.Join(" | ", exec.Stages.Where(s => !s.Wraps).Select(s => string.Join(' ', [s.Program, .. s.Arguments])));
        return new ToolPreview(
            $"on {exec.Host}: {Policies.Text.TextCut.ToChars(argv, 200)}",
            new JsonObject { ["host"] = exec.Host, ["command"] = exec.Command, ["sent"] = exec.RemoteCommand, ["stages"] = stages, ["timeoutSeconds"] = exec.TimeoutSeconds },
            MustMatchAtExecution: false);
    }

    public void AddBackend(IServiceCollection services) =>
        services.AddToolBackend<SshExecRequest, SshExecBackend>(SshExecTool.Name);
}
