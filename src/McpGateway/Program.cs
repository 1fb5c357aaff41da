using McpGateway.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await new GatewayCli(Console.In, Console.Out, Console.Error).RunAsync(args, cancellation.Token).ConfigureAwait(false);
