namespace Policies.Tests.Loading;

/// <summary>The validator reports every error, each with its line and a fix.</summary>
public sealed class ValidatorTests
{
    [Fact]
    public void Every_error_in_a_bundle_is_reported_with_its_line()
    {
        var errors = TestPolicies.Errors("""
            rules:
              - name: one
                when: { tool: http_call, facts: { http.nope: GET } }
                effect: allow
              - name: two
                when: { tool: http_call, connection: missing }
                effect: allow
              - name: three
                when: { groups: [ghosts] }
                effect: approval
            """);

        errors.Should().HaveCount(4);
        errors[0].Should().StartWith("3: Unknown fact 'http.nope'").And.Contain("http.method");
        errors[1].Should().StartWith("6: Unknown connection 'missing'").And.Contain("billing");
        errors[2].Should().StartWith("9: Unknown group 'ghosts'").And.Contain("agents");
        errors[3].Should().StartWith("8: Approval rule 'three' needs 'approvers");
    }

    [Theory]
    [InlineData("when: { facts: { f.kind: { like: x } } }", "Unknown operator 'like' on 'f.kind'")]
    [InlineData("when: { facts: { f.kind: { all: [x] } } }", "'all' applies to list facts")]
    [InlineData("when: { facts: { f.kind: { sequence: [[x]] } } }", "'sequence' applies to list facts")]
    [InlineData("when: { facts: { f.tags: { sequence: [a, b] } } }", "Each alternative of 'sequence' on 'f.tags' is a list of patterns")]
    [InlineData("when: { facts: { f.tags: { sequence: a } } }", "The operand of 'sequence' on 'f.tags' must be a list of lists")]
    [InlineData("when: { facts: { f.tags: { sequence: [] } } }", "The operand of 'sequence' on 'f.tags' must be a list of lists")]
    [InlineData("when: { facts: { f.tags: { sequence: [[-p, [x]]] } } }", "Each position of a 'sequence' on 'f.tags' must be a single value")]
    [InlineData("when: { facts: { f.tags: { sequence: [[-p, <digits>]] } } }", "'<digits>' is not a word class; the classes are <number>")]
    [InlineData("when: { facts: { f.tags: { glob: 'x<Number>' } } }", "'<Number>' is not a word class")]
    [InlineData("when: { facts: { f.kind: { glob: [a, '<user>'] } } }", "'<user>' is not a word class")]
    [InlineData("when: { tool: http_call, facts: { http.path: { glob: '/api/<number>' } } }", "word classes (<number>, <name>) do not apply to 'http.path', which is a path")]
    [InlineData("when: { facts: { f.readOnly: { glob: 'x*' } } }", "'glob' applies to text facts")]
    [InlineData("when: { facts: { f.kind: { lessThan: 3 } } }", "'lessThan' applies to number facts")]
    [InlineData("when: { facts: { f.size: many } }", "'many' is not a valid value for 'f.size', which is a whole number")]
    [InlineData("when: { facts: { f.readOnly: yes } }", "'yes' is not a valid value for 'f.readOnly', which is true or false")]
    [InlineData("when: { facts: { f.kind: { equals: [a, b] } } }", "'equals' on 'f.kind' takes one value")]
    [InlineData("when: { facts: { items.kind: a, other.kind: b } }", "one rule can test the elements of one list only")]
    [InlineData("when: { tool: http_call, facts: { f.kind: a } }", "Unknown fact 'f.kind' for tool http_call")]
    [InlineData("when: { tool: [http_call, facts_tool], facts: { f.kind: a } }", "Fact 'f.kind' is not produced by tool http_call")]
    [InlineData("when: { tool: sql }", "Unknown tool 'sql'")]
    [InlineData("when: { identity: mallory }", "Unknown identity 'mallory'")]
    [InlineData("when: { who: agent-1 }", "Unknown key 'who' in 'when'")]
    [InlineData("when: { groups: [] }", "'groups' is an empty list")]
    [InlineData("when: { facts: { f.kind: {} } }", "The conditions on 'f.kind' are empty")]
    [InlineData("when: [tool]", "'when' must be a mapping")]
    [InlineData("when: { tool: facts_tool }\n    obligations: { timeout: 30 }", "Obligation 'timeout' is '30'; expected a positive duration")]
    [InlineData("when: { tool: facts_tool }\n    obligations: { timeout: 0s }", "Obligation 'timeout' is '0s'")]
    [InlineData("when: { tool: facts_tool }\n    obligations: { maxBytes: 10 parsecs }", "expected a positive size")]
    [InlineData("when: { tool: facts_tool }\n    obligations: { rate: fast }", "expected a rate such as 60/m")]
    [InlineData("when: { tool: facts_tool }\n    obligations: { maxRows: -1 }", "expected a positive whole number")]
    [InlineData("when: { tool: facts_tool }\n    obligations: { mask: secret-sauce }", "Unknown masking profile 'secret-sauce'")]
    [InlineData("when: { tool: facts_tool }\n    obligations: { maxCats: 3 }", "Unknown obligation 'maxCats'")]
    [InlineData("obligations: { maxRows: 3 }", "Obligation 'maxRows' is not understood by tool http_call")]
    [InlineData("approvers: { groups: [leads] }", "'approvers' only applies to approval rules")]
    [InlineData("reason: x\n    colour: blue", "Unknown key 'colour' in a rule")]
    public void Each_kind_of_mistake_gets_a_message_that_says_what_to_fix(string ruleBody, string message)
    {
        var errors = TestPolicies.Errors($"""
            rules:
              - name: under-test
                effect: allow
                {ruleBody}
            """);

        errors.Should().Contain(e => e.Contains(message, StringComparison.Ordinal), $"errors were: {string.Join(" | ", errors)}");
    }

    [Fact]
    public void Approval_rules_need_approver_groups_that_exist()
    {
        var errors = TestPolicies.Errors("""
            rules:
              - name: a
                effect: approval
                approvers: { groups: [nobody-group] }
              - name: b
                effect: approval
                approvers: {}
            """);

        errors.Should().Contain(e => e.StartsWith("4: Unknown approver group 'nobody-group'", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Approval rule 'b' needs at least one approver group", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("two")]
    [InlineData("1.5")]
    [InlineData("[2]")]
    public void A_quorum_is_a_whole_number_of_approvers_from_1_to_10(string count)
    {
        var errors = TestPolicies.Errors($$"""
            rules:
              - name: q
                effect: approval
                approvers: { groups: [leads], count: {{count}} }
            """);

        errors.Should().ContainSingle().Which.Should().Contain("'approvers.count' of rule 'q' must be a whole number from 1 to 10");
    }

    [Fact]
    public void A_quorum_is_part_of_the_decision()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: two-leads
                when: { tool: facts_tool }
                effect: approval
                approvers: { groups: [leads], count: 2 }
            """);

        var decision = engine.Evaluate("agent-1", """{"target":"db-1"}""");

        decision.Approvals.Should().ContainSingle().Which.Count.Should().Be(2);
        decision.Reasons.Should().ContainSingle().Which.Should().Contain("Approvers: 2 of leads");
        decision.ToJson()["approvers"]![0]!["count"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public void Deny_rules_take_no_obligations()
    {
        TestPolicies.Errors("""
            rules:
              - name: d
                when: { tool: facts_tool }
                effect: deny
                obligations: { maxRows: 1 }
            """).Should().ContainSingle().Which.Should().Contain("denies, so its obligations would never apply");
    }

    [Fact]
    public void Duplicate_keys_are_an_error_with_their_line()
    {
        var errors = TestPolicies.Errors("""
            rules:
              - name: a
                effect: allow
                effect: deny
            """);

        errors.Should().ContainSingle().Which.Should().StartWith("4: Duplicate key");
    }

    [Fact]
    public void Duplicate_rule_names_are_an_error_naming_the_first()
    {
        var errors = TestPolicies.Errors("""
            rules:
              - name: same
                effect: allow
              - name: same
                effect: deny
            """);

        errors.Should().ContainSingle().Which.Should().Be("4: Rule name 'same' is already used at rules.yaml:2:5; rule names must be unique.");
    }

    [Theory]
    [InlineData("rules: [", "Not valid YAML")]
    [InlineData("rule: []", "Unknown key 'rule' in a policy file")]
    [InlineData("rules: {}", "'rules' must be a list of rules")]
    [InlineData("- name: a", "A policy file must be a mapping")]
    [InlineData("rules:\n  - effect: allow", "A rule needs a 'name'")]
    [InlineData("rules:\n  - name: a", "Rule 'a' needs an 'effect'")]
    [InlineData("rules:\n  - name: a\n    effect: permit", "Unknown effect 'permit'")]
    [InlineData("rules: []", "The bundle has no rules")]
    public void Malformed_files_are_reported(string yaml, string message)
    {
        TestPolicies.Errors(yaml).Should().Contain(e => e.Contains(message, StringComparison.Ordinal));
    }
}
