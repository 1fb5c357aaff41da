using System.Collections.Concurrent;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;
using Policies.Tests.Text;

namespace Policies.Tests.Classifiers.Sql;

public sealed class SqlRobustnessTests
{
    private static readonly string[] Pieces =
    [
        "SELECT ", "DELETE ", "UPDATE ", "INSERT INTO ", "DROP TABLE ", "WITH x AS (", "EXPLAIN ANALYZE ", "COPY ", "DO ",
        "FROM ", "WHERE ", "SET ", "orders", "secrets", "x", " ", "\n", "\r", "\t", ";", ",", "(", ")", "*", "=", "1", "$1",
        "'", "''", "E'", "\\", "$$", "$a$", "/*", "*/", "--", "\"", "U&\"", "::", "nextval('s')", "pg_sleep(1)", "RETURNING *",
        "FOR UPDATE", "INTO t", "BEGIN", "COMMIT", "\u00e9", "\u037e", "\uff1b", "\u200b", "\ud83d\ude00",
    ];

    private static Gen<string> SqlLike { get; } = Gen.Elements(Pieces).ArrayOf().Select(p => string.Concat(p));

    [SqlFact]
    public void Any_text_is_classified_or_unparsed_and_never_throws()
    {
        Prop.ForAll(HostileText.Arbitrary, text => Holds(text)).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [SqlFact]
    public void Any_mix_of_sql_pieces_keeps_the_invariants()
    {
        Prop.ForAll(SqlLike.ToArbitrary(), text => Holds(text)).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    /// <summary>
    /// A call either carries a request (one statement, understood, sent exactly as given) or sends
    /// nothing and says why; read-only is claimed only for queries, and never for unparsed calls.
    /// </summary>
    private static bool Holds(string text)
    {
        var arguments = JsonSerializer.Serialize(new { connection = "orders", sql = text });
        Classification result;
        try
        {
            result = SqlCalls.Classify(arguments);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"classifying {arguments} threw", e);
        }

        var statements = result.Facts.ElementsOf(RunSqlTool.Statements);
        if (result.Request is SqlStatementRequest spec)
        {
            return spec.Sql == text
                && statements.Length == 1
                && result.UnparsedReasons.IsEmpty
                && result.Refusals.IsEmpty
                && (!spec.ReadOnly || statements[0].Get(RunSqlTool.StatementCategory)!.Text == SqlCategories.Query);
        }

        var readOnly = result.Facts.Get(RunSqlTool.ReadOnly);
        return (result.UnparsedReasons.Length + result.Refusals.Length) > 0
            && (result.UnparsedReasons.IsEmpty || readOnly == FactValue.False);
    }

    [SqlTheory]
    [InlineData(100, true)]
    [InlineData(5_000, false)]
    [InlineData(50_000, false)]
    public void Deeply_nested_expressions_are_unparsed_not_a_crash(int depth, bool understood)
    {
        var chain = SqlCalls.Sql("SELECT " + string.Join(" + ", Enumerable.Repeat("1", depth)));
        var parentheses = SqlCalls.Sql("SELECT " + new string('(', depth) + "1" + new string(')', depth));

        if (understood)
        {
            chain.Spec().Should().NotBeNull();
        }
        else
        {
            chain.Spec().Should().BeNull();
            chain.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("nested too deeply");
        }

        // Parentheses alone add no tree level: the statement is understood or refused, whole.
        (parentheses.Spec() is not null || parentheses.IsUnparsed).Should().BeTrue();
    }

    [SqlFact]
    public void Deeply_nested_subqueries_are_walked_or_unparsed()
    {
        var sql = string.Concat(Enumerable.Repeat("SELECT * FROM (", 300)) + "SELECT * FROM secrets" + string.Concat(Enumerable.Repeat(") x", 300));

        var result = SqlCalls.Sql(sql);

        if (result.IsUnparsed)
        {
            result.Request.Should().BeNull();
        }
        else
        {
            result.Statement().List(RunSqlTool.StatementTablesRead).Should().Equal("public.secrets");
        }
    }

    [SqlFact]
    public void The_parser_library_is_loaded_once_and_parses_from_many_threads_at_once()
    {
        PgQuery.IsAvailable.Should().BeTrue(PgQuery.LoadError);
        string[] statements =
        [
            "SELECT * FROM orders WHERE id = 1",
            "DELETE FROM orders WHERE id = 2",
            "WITH x AS (UPDATE customers SET a = 1 WHERE id = 3 RETURNING *) SELECT * FROM x",
            "SELECT 1; SELECT 2",
            "SELEC broken",
            "COPY orders TO PROGRAM 'x'",
        ];
        var expected = statements.ToDictionary(s => s, s => SqlCalls.Sql(s).Facts.ToJson().ToJsonString());
        var mismatches = new ConcurrentBag<string>();

        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var sql = statements[i % statements.Length];
            var facts = SqlCalls.Sql(sql).Facts.ToJson().ToJsonString();
            if (facts != expected[sql])
            {
                mismatches.Add(sql);
            }
        });

        mismatches.Should().BeEmpty();
    }
}
