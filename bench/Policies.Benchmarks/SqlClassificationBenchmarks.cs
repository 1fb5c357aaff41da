using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Benchmarks;

/// <summary>
/// run_sql classification per statement — a short one, a typical 200-character join, a large
/// DDL — beside libpg_query's parse alone (the budget is the parse plus 5 µs), and a decision
/// with classification against a read-only analyst rule.
/// </summary>
[MemoryDiagnoser]
public class SqlClassificationBenchmarks
{
    private const string Join = "SELECT o.id, o.created_at, c.name, sum(i.quantity * i.unit_price) AS total FROM orders o JOIN customers c ON c.id = o.customer_id JOIN order_items i ON i.order_id = o.id WHERE o.status = $1 GROUP BY 1, 2, 3 ORDER BY total DESC LIMIT 50";

    private readonly RunSqlClassifier _classifier = new();
    private PolicyEnvironment _environment = null!;
    private PolicyEngine _engine = null!;
    private JsonDocument _short = null!;
    private JsonDocument _join = null!;
    private JsonDocument _ddl = null!;
    private string _ddlText = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (!PgQuery.IsAvailable)
        {
            throw new InvalidOperationException(PgQuery.LoadError);
        }

        _environment = new PolicyEnvironment(
            [IdentityInfo.Create("analyst", ["analysts"], [Roles.Agent])],
            ["analysts"],
            [new PostgresTargetInfo("orders")],
            ["default"]);
        var catalog = new ToolCatalog([RunSqlTool.Create()]);
        const string rules = """
            rules:
              - name: analysts-read-orders
                when: { groups: [analysts], tool: run_sql, connection: orders,
                        facts: { sql.readOnly: true, sql.tablesRead: { in: [public.orders, public.customers, public.order_items] } } }
                effect: allow
                obligations: { maxRows: 500, readOnly: true }
              - name: no-unbounded-writes
                when: { tool: run_sql, facts: { sql.unboundedWrite: true } }
                effect: deny
            """;
        var bundle = new PolicyBundleLoader(catalog, _environment).Load([new PolicySource("rules.yaml", Encoding.UTF8.GetBytes(rules))]);
        _engine = new PolicyEngine(new PolicySnapshot(bundle, _environment, catalog));

        var ddl = new StringBuilder("CREATE TABLE sales.order_history (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
        for (var i = 0; i < 60; i++)
        {
            ddl.Append(System.Globalization.CultureInfo.InvariantCulture, $", column_{i} numeric(12, 2) NOT NULL DEFAULT 0 CHECK (column_{i} >= 0)");
        }

        ddl.Append(", customer_id bigint REFERENCES public.customers (id) ON DELETE CASCADE, note text COLLATE \"C\")");
        _ddlText = ddl.ToString();
        _short = Arguments("SELECT 1", null);
        _join = Arguments(Join, "[\"open\"]");
        _ddl = Arguments(_ddlText, null);
    }

    [Benchmark]
    public void Parse_only_join() => PgQuery.Parse(Join).Tree?.Dispose();

    [Benchmark]
    public object Classify_select_1() => _classifier.Classify(_short.RootElement, _environment);

    [Benchmark(Baseline = true)]
    public object Classify_join() => _classifier.Classify(_join.RootElement, _environment);

    [Benchmark]
    public void Parse_only_large_ddl() => PgQuery.Parse(_ddlText).Tree?.Dispose();

    [Benchmark]
    public object Classify_large_ddl() => _classifier.Classify(_ddl.RootElement, _environment);

    [Benchmark]
    public object Decide_join() => _engine.Evaluate("analyst", RunSqlTool.Name, _join.RootElement);

    private static JsonDocument Arguments(string sql, string? parameters) =>
        JsonDocument.Parse($$"""{"connection": "orders", "sql": {{JsonSerializer.Serialize(sql)}}{{(parameters is null ? string.Empty : $", \"params\": {parameters}")}}}""");
}
