// A small billing API for the demo: the service the gateway governs. It accepts only the
// gateway's bearer token (read from the file given as the first argument), so an agent can reach
// it only through the gateway. /api/debug echoes the token back, to show the gateway redacting it.
using System.Collections.Concurrent;

var tokenFile = args.Length > 0 ? args[0] : throw new ArgumentException("usage: demo-billing-service TOKEN_FILE [URL]");
var url = args.Length > 1 ? args[1] : "http://127.0.0.1:8081";
var token = File.ReadAllText(tokenFile).Trim();

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls(url);
var app = builder.Build();

var invoices = new ConcurrentDictionary<int, Invoice>(Enumerable.Range(1, 3).ToDictionary(i => i, i => new Invoice(i, $"customer-{i}", 100 * i, "open")));

app.Use(async (context, next) =>
{
    if (context.Request.Headers.Authorization != $"Bearer {token}")
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await context.Response.WriteAsJsonAsync(new { error = "missing or wrong token" });
        return;
    }

    await next(context);
});

app.MapGet("/api/invoices", (string? status) => invoices.Values.Where(i => status is null || i.Status == status).OrderBy(i => i.Id));
app.MapGet("/api/invoices/{id:int}", (int id) => invoices.TryGetValue(id, out var invoice) ? Results.Ok(invoice) : Results.NotFound());
app.MapPost("/api/invoices", (Invoice draft) =>
{
    var id = invoices.Keys.DefaultIfEmpty(0).Max() + 1;
    var invoice = draft with { Id = id, Status = "open" };
    invoices[id] = invoice;
    return Results.Created($"/api/invoices/{id}", invoice);
});
app.MapDelete("/api/invoices/{id:int}", (int id) => invoices.TryRemove(id, out _) ? Results.NoContent() : Results.NotFound());
app.MapGet("/api/admin/users", () => new[] { "root", "finance" });
app.MapGet("/api/debug", (HttpContext context) => new { receivedAuthorization = context.Request.Headers.Authorization.ToString() });

app.Run();

internal sealed record Invoice(int Id, string Customer, decimal Amount, string Status);
