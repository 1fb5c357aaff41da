namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>The codes of the built-in refusals of <c>run_sql</c> (reported as <c>builtin:&lt;code&gt;</c>).</summary>
internal static class SqlRefusalCodes
{
    /// <summary>The arguments are missing, of the wrong type, or malformed (also: too long, a NUL character, $n and params that disagree).</summary>
    public const string Arguments = "arguments";

    /// <summary>The connection is not configured.</summary>
    public const string UnknownTarget = "unknown-target";

    /// <summary>PostgreSQL cannot run the statement inside a transaction block, and the gateway runs every statement in one.</summary>
    public const string OutsideTransaction = "outside-transaction";

    /// <summary>The statement changes what the classifier relies on (search_path).</summary>
    public const string ForbiddenStatement = "forbidden-statement";

    /// <summary>The SQL parser library is not installed on the gateway.</summary>
    public const string ParserUnavailable = "parser-unavailable";
}
