using System.Text.Json.Nodes;
using McpGateway.Policies.Masking;

namespace Policies.Tests.Masking;

/// <summary>
/// Column rules on SQL results, and how they fail closed: when a statement reads a ruled column, every output
/// column without a known base column gets the rule's strategy, whichever form hid it.
/// </summary>
public sealed class ColumnRuleTests
{
    private static readonly MaskingProfile Pii = JsonMaskingTests.Profile(new MaskingProfileOptions
    {
        Columns =
        {
            new MaskingColumnRuleOptions { Column = "users.email", Strategy = "partial" },
            new MaskingColumnRuleOptions { Name = "*ssn*" },
            new MaskingColumnRuleOptions { Column = "billing.cards.pan", Strategy = "null" },
        },
    });

    private static readonly Masker Masker = new(Pii);

    public static TheoryData<string, MaskingColumn[], string[], string> HiddenForms => new()
    {
        // form, columns, referenced base columns, masked row
        { "direct", [new("email", "text", "users.email"), new("id", "int4", "users.id")], ["users.email", "users.id"], """["****.com",7]""" },
        { "alias", [new("contact", "text", "public.users.email"), new("id", "int4", "users.id")], ["public.users.email", "users.id"], """["****.com",7]""" },
        { "expression", [new("lower", "text"), new("id", "int4", "users.id")], ["users.email", "users.id"], """["****.com",7]""" },
        { "star", [new("email", "text", "users.email"), new("id", "int4", "users.id")], ["users.id", "users.email", "users.name"], """["****.com",7]""" },
        { "whole row", [new("u", "record"), new("id", "int4", "users.id")], ["users.id", "users.email", "users.name"], """["****.com",7]""" },
        { "row_to_json", [new("row_to_json", "json"), new("id", "int4", "users.id")], ["users.id", "users.email"], """["****.com",7]""" },
        { "view", [new("mail", "text", "v_people.mail"), new("n", "int8")], ["users.email"], """["alice@example.com","****.com"]""" },
        { "cte", [new("e", "text"), new("id", "int4", "users.id")], ["users.email", "users.id"], """["****.com",7]""" },
        { "table.*", [new("u", "record"), new("id", "int4", "users.id")], ["public.users.*"], """["[REDACTED]",7]""" }, // also reaches *ssn*: the strictest wins
    };

    [Theory]
    [InlineData("column", "public.users.*", true)]
    [InlineData("column", "users.*", true)]
    [InlineData("column", "public.orders.*", false)]
    [InlineData("column", "public.users.name", false)]
    [InlineData("name", "public.orders.*", true)]
    [InlineData("name", "public.orders.name", false)]
    public void Every_column_of_a_table_reaches_the_rules_on_that_table_and_every_rule_by_name(string rule, string referenced, bool masked)
    {
        // A star reads every column, whatever it is called: a name rule (*ssn*) is reached by any table's.
        var masker = new Masker(JsonMaskingTests.Profile(new MaskingProfileOptions
        {
            Columns = { rule == "column" ? new MaskingColumnRuleOptions { Column = "users.email" } : new MaskingColumnRuleOptions { Name = "*ssn*" } },
        }));
        var rows = new JsonArray(new JsonArray("alice@example.com"));
        var tree = new JsonObject { ["rows"] = rows };

        var result = masker.Mask(tree, table: new MaskingTable(rows, [new("value", "text")], ReferencedColumns.Of([referenced])))!;

        (result["rows"]![0]![0]!.GetValue<string?>() != "alice@example.com").Should().Be(masked, referenced);
    }

    [Theory]
    [MemberData(nameof(HiddenForms))]
    public void A_ruled_column_is_masked_whatever_form_the_statement_uses(string form, MaskingColumn[] columns, string[] referenced, string expected)
    {
        var rows = RowsFor(form);
        var tree = new JsonObject { ["rows"] = rows };

        var masked = Masker.Mask(tree, table: new MaskingTable(rows, columns, ReferencedColumns.Of(referenced)))!;

        // With the default profile's detectors absent, only the rule can have masked the value.
        masked["rows"]![0]!.ToJsonString().Should().Be(expected, form);
    }

    [Fact]
    public void Columns_of_a_statement_that_reads_no_ruled_column_are_left_to_the_detectors()
    {
        var rows = new JsonArray(new JsonArray("alice@example.com", 3));
        var tree = new JsonObject { ["rows"] = rows };
        MaskingColumn[] columns = [new("note", "text"), new("n", "int8")];

        var masked = Masker.Mask(tree, table: new MaskingTable(rows, columns, ReferencedColumns.Of(["orders.note", "orders.n"])))!;

        masked["rows"]![0]!.ToJsonString().Should().Be("""["alice@example.com",3]""");
    }

    [Fact]
    public void When_what_the_statement_read_is_unknown_every_column_without_a_base_column_gets_the_strictest_rule()
    {
        var rows = new JsonArray(new JsonArray("a@example.com", "x", 5));
        var tree = new JsonObject { ["rows"] = rows };
        MaskingColumn[] columns = [new("e", "text"), new("name", "text", "users.name"), new("n", "int8")];

        var masked = Masker.Mask(tree, table: new MaskingTable(rows, columns))!;

        masked["rows"]![0]!.ToJsonString().Should().Be("""[null,"x",null]""");
    }

    [Fact]
    public void Name_patterns_match_output_names_and_base_column_names_without_case()
    {
        var plan = Pii.PlanColumns(
            [new("Customer_SSN", "text"), new("tax", "text", "people.ssn"), new("pan", "text", "billing.cards.pan"), new("pan", "text", "other.cards.pan"), new("x", "text", "users.x")],
            ReferencedColumns.Of(["people.ssn", "billing.cards.pan", "other.cards.pan", "users.x"]));

        // Customer_SSN has no base column and the statement read billing.cards.pan: the strictest rule reached wins.
        plan.Should().Equal(MaskStrategy.Null, MaskStrategy.Redact, MaskStrategy.Null, null, null);
    }

    [Fact]
    public void Rows_as_objects_and_cells_beyond_the_columns_are_covered()
    {
        var rows = JsonNode.Parse("""[{"email":"alice@example.com","extra":"bob@example.com"},["a","b","c"]]""")!.AsArray();
        var tree = new JsonObject { ["result"] = new JsonObject { ["rows"] = rows } };
        MaskingColumn[] columns = [new("email", "text", "users.email"), new("id", "int4", "users.id")];

        var masked = Masker.Mask(tree, table: new MaskingTable(rows, columns, ReferencedColumns.Of(["users.email", "users.id"])))!;

        masked["result"]!["rows"]!.ToJsonString().Should().Be("""[{"email":"****.com","extra":"****.com"},["[REDACTED]","b","[REDACTED]"]]""");
    }

    [Fact]
    public void Detectors_still_run_on_cells_no_rule_reaches_and_secret_named_columns_are_masked()
    {
        var masker = MaskingCatalog.BuiltIn.CreateMasker(null, HeldSecretRedactor.Empty);
        var rows = new JsonArray(new JsonArray("call 415-555-2671", "hunter2"));
        var tree = new JsonObject { ["rows"] = rows };

        var masked = masker.Mask(tree, table: new MaskingTable(rows, [new("note", "text", "t.note"), new("password", "text", "t.password")], ReferencedColumns.None))!;

        masked["rows"]![0]!.ToJsonString().Should().Be("""["call [PHONE]","[SECRET]"]""");
    }

    [Fact]
    public void Rows_outside_the_tree_are_refused()
    {
        var act = () => Masker.Mask(new JsonObject(), table: new MaskingTable([], []));

        act.Should().Throw<MaskingException>();
    }

    private static JsonArray RowsFor(string form) => form == "view"
        ? new JsonArray(new JsonArray("alice@example.com", "alice@example.com"))
        : new JsonArray(new JsonArray("alice@example.com", 7));
}
