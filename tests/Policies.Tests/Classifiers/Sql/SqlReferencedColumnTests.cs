namespace Policies.Tests.Classifiers.Sql;

/// <summary>
/// The base columns a read-only statement may return values of, which column masking rules rely
/// on: over-approximated (every column name it mentions, under every relation it reads), a star
/// or a whole-row reference for every column, and unknown where the statement could return values
/// the names do not show.
/// </summary>
public sealed class SqlReferencedColumnTests
{
    [SqlTheory]
    [InlineData("SELECT id, upper(email) FROM customers", new[] { "public.customers.id", "public.customers.email" })]
    [InlineData("SELECT count(*) FROM orders", new string[0])]
    [InlineData("SELECT 1", new string[0])]
    [InlineData("SELECT o.total FROM orders o JOIN customers c ON c.id = o.customer_id", new[] { "public.orders.total", "public.orders.id", "public.orders.customer_id", "public.customers.total", "public.customers.id", "public.customers.customer_id" })]
    [InlineData("WITH x AS (SELECT email AS e FROM customers) SELECT upper(e) FROM x", new[] { "public.customers.email", "public.customers.e" })]
    [InlineData("SELECT (SELECT max(email) FROM customers) AS m", new[] { "public.customers.email" })]
    [InlineData("SELECT \"Email\" FROM \"Customers\"", new[] { "public.Customers.Email" })]
    [InlineData("SELECT email FROM customers", new[] { "public.customers.email" })]
    public void A_read_names_its_columns_under_every_relation_it_reads(string sql, string[] expected)
    {
        var spec = SqlCalls.Sql(sql).Spec()!;

        spec.ReferencedColumns.Should().NotBeNull();
        spec.ReferencedColumns!.Value.Should().BeEquivalentTo(expected);
    }

    [SqlTheory]
    [InlineData("SELECT * FROM customers")]
    [InlineData("TABLE customers")]
    [InlineData("SELECT c.* FROM customers c")]
    [InlineData("SELECT c FROM customers c")]
    [InlineData("SELECT customers FROM customers")]
    [InlineData("SELECT row_to_json(c) FROM customers c")]
    [InlineData("SELECT to_jsonb(c.*) FROM customers c")]
    [InlineData("SELECT (c).email FROM customers c")]
    [InlineData("SELECT x::text FROM (SELECT * FROM customers) x")]
    [InlineData("WITH x AS (SELECT * FROM customers) SELECT x FROM x")]
    [InlineData("SELECT t FROM (SELECT id FROM customers) AS t")]
    public void A_star_or_a_whole_row_reads_every_column(string sql)
    {
        var spec = SqlCalls.Sql(sql).Spec()!;

        spec.ReferencedColumns!.Value.Should().Contain("public.customers.*");
    }

    [SqlTheory]
    [InlineData("SELECT query_to_xml('SELECT email FROM customers', true, true, '')")]
    [InlineData("SELECT table_to_xml('customers', true, true, '')")]
    [InlineData("SELECT my_lookup(1)")]
    [InlineData("SELECT email(c) FROM customers c")]
    [InlineData("UPDATE orders SET status = 'x' WHERE id = 1 RETURNING *")]
    [InlineData("EXPLAIN SELECT email FROM customers")]
    [InlineData("SELECT id FROM customers FOR UPDATE")]
    public void What_the_names_cannot_show_is_unknown(string sql)
    {
        var spec = SqlCalls.Sql(sql).Spec();

        spec.Should().NotBeNull();
        spec!.ReferencedColumns.Should().BeNull(sql);
    }

    [SqlFact]
    public void Relations_read_are_every_reading_of_an_unqualified_name_on_the_search_path()
    {
        var spec = SqlCalls.Sql("SELECT * FROM orders, sales.regions", connection: "reporting").Spec()!;

        spec.RelationsRead.Select(r => (r.Schema, r.Name)).Should().Equal(("sales", "orders"), ("public", "orders"), ("sales", "regions"));
        spec.ReferencedColumns!.Value.Should().BeEquivalentTo("sales.orders.*", "public.orders.*", "sales.regions.*");
    }
}
