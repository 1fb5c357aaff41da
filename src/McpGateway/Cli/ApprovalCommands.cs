using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Cli;

/// <summary>
/// <c>approvals list|show|approve|deny|cancel</c>: an operator's decisions, through a running
/// gateway's <c>/api/approvals</c> (<c>--url</c>), with the operator's key from
/// <c>MCPGW_OPERATOR_KEY</c> — never by writing the store.
/// </summary>
internal static class ApprovalCommands
{
    public const string KeyVariable = "MCPGW_OPERATOR_KEY";
    public const string UrlVariable = "MCPGW_URL";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var approvals = new Command("approvals", $"Review and decide approval requests on a running gateway (its --http URL; the operator's key in {KeyVariable}).");
        approvals.Subcommands.Add(CreateList(output, error));
        approvals.Subcommands.Add(CreateShow(output, error));
        approvals.Subcommands.Add(CreateDecision("approve", "Approve a request; it runs when its last required approver approves.", output, error));
        approvals.Subcommands.Add(CreateDecision("deny", "Deny a request; it never runs.", output, error));
        approvals.Subcommands.Add(CreateDecision("cancel", "Cancel a pending or approved request that has not run.", output, error));
        return approvals;
    }

    private static Option<string?> UrlOption() => new("--url")
    {
        Description = $"The gateway's HTTP address, as given to 'serve --http' (default: ${UrlVariable}).",
    };

    private static Command CreateList(TextWriter output, TextWriter error)
    {
        var url = UrlOption();
        var status = new Option<string?>("--status") { Description = "Only requests in this state (pending, approved, denied, expired, cancelled, executing, executed, failed)." };
        var tool = new Option<string?>("--tool") { Description = "Only requests of this tool." };
        var requester = new Option<string?>("--requester") { Description = "Only requests of this identity." };
        var json = new Option<bool>("--json") { Description = "The API's JSON instead of a table." };
        var command = new Command("list", "List approval requests, newest first.") { url, status, tool, requester, json };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var query = new List<string>();
            void Add(string name, string? value)
            {
                if (value is not null)
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }

            Add("status", parseResult.GetValue(status));
            Add("tool", parseResult.GetValue(tool));
            Add("requester", parseResult.GetValue(requester));
            var path = "api/approvals" + (query.Count == 0 ? string.Empty : "?" + string.Join("&", query));
            return SendAsync(parseResult.GetValue(url), HttpMethod.Get, path, null, error, body => parseResult.GetValue(json) ? Indented(body) : Table(body), output, cancellationToken);
        });
        return command;
    }

    private static Command CreateShow(TextWriter output, TextWriter error)
    {
        var url = UrlOption();
        var id = new Argument<string>("APPROVAL_ID") { Description = "The request's id (apr_…)." };
        var command = new Command("show", "Show one request: the rules, the votes, and — if you may decide it — the unmasked request and its preview.") { url, id };
        command.SetAction((parseResult, cancellationToken) =>
            SendAsync(parseResult.GetValue(url), HttpMethod.Get, $"api/approvals/{Uri.EscapeDataString(parseResult.GetValue(id)!)}", null, error, Indented, output, cancellationToken));
        return command;
    }

    private static Command CreateDecision(string verb, string description, TextWriter output, TextWriter error)
    {
        var url = UrlOption();
        var id = new Argument<string>("APPROVAL_ID") { Description = "The request's id (apr_…)." };
        var reason = new Option<string?>("--reason") { Description = "Why; recorded in the audit log and shown to the requester." };
        var command = new Command(verb, description) { url, id, reason };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var body = new JsonObject { ["reason"] = parseResult.GetValue(reason) }.ToJsonString();
            return SendAsync(parseResult.GetValue(url), HttpMethod.Post, $"api/approvals/{Uri.EscapeDataString(parseResult.GetValue(id)!)}/{verb}", body, error, Decided, output, cancellationToken);
        });
        return command;
    }

    /// <summary>Sends one request to a running gateway's API with the key in <see cref="KeyVariable"/> of an identity with <paramref name="role"/>, and renders the answer.</summary>
    internal static async Task<int> SendAsync(string? url, HttpMethod method, string path, string? body, TextWriter error, Func<JsonNode, string> render, TextWriter output, CancellationToken cancellationToken, string role = "operator")
    {
        url ??= Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            await error.WriteLineAsync($"error: give the gateway's address with --url (or {UrlVariable}), as served by 'serve --http', for example http://127.0.0.1:8080.").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        if (Environment.GetEnvironmentVariable(KeyVariable) is not { Length: > 0 } key)
        {
            await error.WriteLineAsync($"error: set {KeyVariable} to the API key of an identity with the {role} role (issued with 'mcp-gateway keys create --identity NAME').").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"error: cannot reach the gateway at {baseUrl}: {ex.Message} Is 'serve --http' running there?").ConfigureAwait(false);
            return GatewayCli.Failed;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"error: the gateway at {baseUrl} did not answer within 30 s.").ConfigureAwait(false);
            return GatewayCli.Failed;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? json;
            try
            {
                json = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                json = null;
            }

            if (!response.IsSuccessStatusCode)
            {
                var detail = json?["detail"]?.GetValue<string>() ?? json?["message"]?.GetValue<string>() ?? text;
                await error.WriteLineAsync($"error: {(int)response.StatusCode} {response.ReasonPhrase}: {detail}").ConfigureAwait(false);
                return GatewayCli.CheckFailed;
            }

            if (json is null)
            {
                await error.WriteLineAsync($"error: {baseUrl} answered {(int)response.StatusCode} without JSON; is it a gateway?").ConfigureAwait(false);
                return GatewayCli.Failed;
            }

            await output.WriteLineAsync(render(json)).ConfigureAwait(false);
            return GatewayCli.Success;
        }
    }

    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Indented, and readable in a terminal (quotes and apostrophes as themselves); control characters stay escaped.</summary>
    private static string Indented(JsonNode json) => json.ToJsonString(Readable);

    private static string Decided(JsonNode json) =>
        $"Approval {json["id"]} is now {json["status"]}{(json["decidedBy"] is { } by ? $" (decided by {by})" : string.Empty)}.";

    private static string Table(JsonNode json)
    {
        var rows = (json["approvals"] as JsonArray ?? []).OfType<JsonObject>().Select(a => new[]
        {
            a["id"]?.ToString() ?? string.Empty,
            a["status"]?.ToString() ?? string.Empty,
            a["requester"]?.ToString() ?? string.Empty,
            $"{a["tool"]} {a["target"]}",
            a["expiresAt"]?.ToString() ?? string.Empty,
            a["summary"]?.ToString() ?? string.Empty,
        }).ToList();
        if (rows.Count == 0)
        {
            return "No approval requests.";
        }

        string[] header = ["ID", "STATUS", "REQUESTER", "TOOL TARGET", "EXPIRES", "REQUEST"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        return string.Join(Environment.NewLine, new[] { header }.Concat(rows).Select(r => string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()));
    }
}
