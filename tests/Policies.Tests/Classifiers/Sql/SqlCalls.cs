using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Sql;

/// <summary>Builds <c>run_sql</c> arguments and classifies them against a small environment.</summary>
internal static class SqlCalls
{
    public static PolicyEnvironment Environment { get; } = new(
        [],
        [],
        [new PostgresTargetInfo("orders"), new PostgresTargetInfo("reporting", ["sales", "public"])],
        ["default"]);

    public static Classification Classify(string json, PolicyEnvironment? environment = null)
    {
        using var document = JsonDocument.Parse(json);
        return new RunSqlClassifier().Classify(document.RootElement, environment ?? Environment);
    }

    /// <summary>Classifies <paramref name="sql"/> on connection <c>orders</c> (search path <c>public</c>).</summary>
    public static Classification Sql(string sql, string connection = "orders", string? parameters = null)
    {
        var arguments = new JsonObject { ["connection"] = connection, ["sql"] = sql };
        if (parameters is not null)
        {
            arguments["params"] = JsonNode.Parse(parameters);
        }

        return Classify(arguments.ToJsonString());
    }

    /// <summary>The facts of the only statement; fails when there is not exactly one.</summary>
    public static FactElement Statement(this Classification classification) =>
        classification.Facts.ElementsOf(RunSqlTool.Statements).Should().ContainSingle().Subject;

    public static string? Fact(this Classification classification, string name) =>
        classification.Facts.Get(name)?.ToString();

    public static string? Fact(this FactElement element, string name) => element.Get(name)?.ToString();

    public static IReadOnlyList<string> List(this FactElement element, string name) => element.Get(name)!.Items;

    public static IEnumerable<string> Codes(this Classification classification) =>
        classification.Refusals.Select(r => r.Code);

    public static SqlStatementRequest? Spec(this Classification classification) =>
        classification.Request as SqlStatementRequest;

    /// <summary>Asserts the call is unparsed for a reason containing <paramref name="reason"/>, and sends nothing.</summary>
    public static void ShouldBeUnparsedBecause(this Classification result, string reason)
    {
        result.UnparsedReasons.Should().Contain(r => r.Contains(reason, StringComparison.Ordinal));
        result.Facts.Get(CommonFacts.Unparsed).Should().Be(FactValue.True);
        result.Facts.Get(RunSqlTool.ReadOnly).Should().Be(FactValue.False);
        result.Request.Should().BeNull();
    }
}

/// <summary>
/// Why tests that parse SQL cannot run here, or null. They need libpg_query, which the test
/// command installs; they skip only outside CI when it cannot be loaded, and fail under CI=true.
/// </summary>
internal static class SqlParserRequirement
{
    public static string? SkipReason { get; } =
        PgQuery.IsAvailable || string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{PgQuery.LoadError} Install {PgQuery.Package} (eng/test.sh does); under CI=true this test fails instead of skipping.";
}

/// <summary>A fact that needs the SQL parser (see <see cref="SqlParserRequirement"/>).</summary>
public sealed class SqlFactAttribute : FactAttribute
{
    public SqlFactAttribute()
    {
        Skip = SqlParserRequirement.SkipReason;
    }
}

/// <summary>A theory that needs the SQL parser (see <see cref="SqlParserRequirement"/>).</summary>
public sealed class SqlTheoryAttribute : TheoryAttribute
{
    public SqlTheoryAttribute()
    {
        Skip = SqlParserRequirement.SkipReason;
    }
}
