using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Sql;

namespace Policies.Tests.Classifiers.Sql;

public sealed class SqlArgumentTests
{
    [SqlFact]
    public void A_single_statement_becomes_the_request_that_runs_exactly_as_parsed()
    {
        const string sql = "/* top customers */ SELECT id, total FROM orders WHERE customer_id = $1 AND status = $2;  -- done";
        var result = SqlCalls.Classify($$"""{"connection": "orders", "sql": {{System.Text.Json.JsonSerializer.Serialize(sql)}}, "params": [42, "open"], "maxRows": 100}""");

        result.Refusals.Should().BeEmpty();
        result.UnparsedReasons.Should().BeEmpty();
        result.Target.Should().Be("orders");
        var spec = result.Spec()!;
        spec.Connection.Should().Be("orders");
        spec.Sql.Should().Be(sql);
        spec.Parameters.Select(p => p.GetRawText()).Should().Equal("42", "\"open\"");
        spec.MaxRows.Should().Be(100);
        spec.Kind.Should().Be("select");
        spec.Category.Should().Be("query");
        spec.ReadOnly.Should().BeTrue();
        result.Fact(RunSqlTool.StatementCount).Should().Be("1");
        result.Fact(RunSqlTool.MultiStatement).Should().Be("false");
    }

    [SqlTheory]
    [InlineData("""{"connection": "nope", "sql": "SELECT 1"}""", "unknown-target", "not configured: use one of the configured PostgreSQL connections: orders, reporting")]
    [InlineData("""{"sql": "SELECT 1"}""", "arguments", "Argument 'connection' is required")]
    [InlineData("""{"connection": "orders"}""", "arguments", "Argument 'sql' is required")]
    [InlineData("""{"connection": "orders", "sql": ""}""", "arguments", "may not be empty")]
    [InlineData("""{"connection": "orders", "sql": 5}""", "arguments", "must be a string, not a number")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1", "database": "x"}""", "arguments", "Argument 'database' is not accepted")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1", "params": {"a": 1}}""", "arguments", "must be an array")]
    [InlineData("""{"connection": "orders", "sql": "SELECT $1", "params": [{"a": 1}]}""", "arguments", "Parameter $1 is an object")]
    [InlineData("""{"connection": "orders", "sql": "SELECT $1", "params": [[[1]]]}""", "arguments", "Parameter $1 is an array")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1", "maxRows": 0}""", "arguments", "'maxRows' must be a whole number of at least 1")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1", "maxRows": 1.5}""", "arguments", "'maxRows' must be a whole number")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1", "maxRows": "10"}""", "arguments", "'maxRows' must be a whole number")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1", "justification": "why"}""", "arguments", "Argument 'justification' is not accepted")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1\u0000; DROP TABLE orders"}""", "arguments", "NUL character")]
    [InlineData("""{"connection": "orders", "sql": "SELECT $1, $2", "params": [1]}""", "arguments", "uses $2 but 'params' has 1 value(s)")]
    [InlineData("""{"connection": "orders", "sql": "SELECT $1", "params": [1, 2]}""", "arguments", "uses only $1 to $1")]
    [InlineData("""{"connection": "orders", "sql": "SELECT 1", "params": [1]}""", "arguments", "uses no parameters")]
    [InlineData("""{"connection": "orders", "sql": "SELECT $3", "params": [1, 2, 3]}""", null, null)]
    public void Bad_arguments_are_refused_with_the_fix(string json, string? code, string? message)
    {
        var result = SqlCalls.Classify(json);

        if (code is null)
        {
            result.Refusals.Should().BeEmpty();
            result.Spec().Should().NotBeNull();
            return;
        }

        result.Codes().Should().Contain(code);
        result.Refusals.Should().Contain(r => r.Reason.Contains(message!, StringComparison.Ordinal));
        result.Spec().Should().BeNull();
    }

    [Fact]
    public void Arguments_that_are_not_an_object_are_refused()
    {
        var result = SqlCalls.Classify("[1]");

        result.Codes().Should().Equal("arguments");
        result.Spec().Should().BeNull();
    }

    [SqlFact]
    public void Over_long_sql_is_refused_before_it_is_parsed()
    {
        var sql = "SELECT " + new string('1', RunSqlClassifier.MaxSqlLength);

        var result = SqlCalls.Sql(sql);

        result.Codes().Should().Equal("arguments");
        result.Refusals[0].Reason.Should().Contain("at most");
        result.Facts.ElementsOf(RunSqlTool.Statements).Should().BeEmpty();
    }

    [SqlFact]
    public void A_gateway_without_connections_says_so()
    {
        var result = SqlCalls.Classify("""{"connection": "orders", "sql": "SELECT 1"}""", new PolicyEnvironment([], [], [], []));

        result.Codes().Should().Equal("unknown-target");
        result.Refusals[0].Reason.Should().Contain("no PostgreSQL connections configured");
    }

    [SqlFact]
    public void A_connection_known_only_by_name_uses_the_public_schema()
    {
        var environment = new PolicyEnvironment([], [], [new TargetInfo("orders", TargetKinds.Postgres)], []);

        var result = SqlCalls.Classify("""{"connection": "orders", "sql": "SELECT * FROM t"}""", environment);

        result.Statement().List(RunSqlTool.StatementTablesRead).Should().Equal("public.t");
    }

    [SqlTheory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("-- just a comment")]
    [InlineData("/* nothing */")]
    [InlineData(";;;")]
    public void Empty_sql_is_unparsed(string sql)
    {
        var result = SqlCalls.Classify($$"""{"connection": "orders", "sql": {{System.Text.Json.JsonSerializer.Serialize(sql)}}}""");

        if (sql.Length == 0)
        {
            result.Codes().Should().Equal("arguments");
            return;
        }

        result.ShouldBeUnparsedBecause("holds no statement");
        result.Fact(RunSqlTool.StatementCount).Should().Be("0");
    }

    [SqlTheory]
    [InlineData("SELEC 1", "syntax error at or near \"SELEC\"")]
    [InlineData("SELECT * FROM", "syntax error at end of input")]
    [InlineData("SELECT 'unterminated", "unterminated quoted string")]
    [InlineData("SELECT $$unterminated", "unterminated dollar-quoted string")]
    [InlineData("/* unterminated comment SELECT 1", "unterminated /* comment")]
    [InlineData("SELECT 1 /* nested /* comment */ still open", "unterminated /* comment")]
    [InlineData("SELECT * FROM t WHERE x = ANY JSON_TABLE(x)", "syntax error")]
    public void Syntax_errors_are_unparsed_with_the_parser_message(string sql, string message)
    {
        var result = SqlCalls.Sql(sql);

        result.ShouldBeUnparsedBecause(message);
        result.UnparsedReasons[0].Should().Contain("PostgreSQL 15");
    }

    [SqlFact]
    public void Multi_statement_sql_is_unparsed_and_flagged_and_each_statement_still_has_facts()
    {
        var result = SqlCalls.Sql("SELECT 1; DELETE FROM orders");

        result.ShouldBeUnparsedBecause("exactly one statement per call, and this SQL has 2 (select, delete)");
        result.Fact(RunSqlTool.MultiStatement).Should().Be("true");
        result.Fact(RunSqlTool.StatementCount).Should().Be("2");
        result.Fact(RunSqlTool.UnboundedWrite).Should().Be("true");
        result.Facts.ElementsOf(RunSqlTool.Statements).Select(e => e.Fact(RunSqlTool.StatementKind)).Should().Equal("select", "delete");
        result.Facts.Get(RunSqlTool.TablesWritten)!.Items.Should().Equal("public.orders");
    }
}
