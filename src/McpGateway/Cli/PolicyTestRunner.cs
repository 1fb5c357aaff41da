using System.Text.Json;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Cli;

/// <summary>Runs <c>policy test</c> cases and prints each mismatch with the decision's reasons.</summary>
internal sealed class PolicyTestRunner(PolicyEngine engine, TextWriter output)
{
    public async Task<int> RunAsync(IReadOnlyList<PolicyTestCase> cases, bool verbose, CancellationToken cancellationToken)
    {
        var passed = 0;
        var failed = 0;
        foreach (var testCase in cases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var decision = engine.Evaluate(testCase.Identity, testCase.Tool, testCase.Arguments);
            var problems = Check(testCase.Expect, decision);
            if (problems.Count == 0)
            {
                passed++;
                if (verbose)
                {
                    await output.WriteLineAsync($"PASS  {testCase.Name}").ConfigureAwait(false);
                }

                continue;
            }

            failed++;
            await output.WriteLineAsync($"FAIL  {testCase.Name} ({testCase.Location})").ConfigureAwait(false);
            foreach (var problem in problems)
            {
                await output.WriteLineAsync($"      {problem}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"      decision: {decision.Effect.ToName()}; rules: [{string.Join(", ", decision.MatchedRules)}]").ConfigureAwait(false);
            foreach (var reason in decision.Reasons)
            {
                await output.WriteLineAsync($"      reason: {reason}").ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync($"revision {engine.Revision}").ConfigureAwait(false);
        await output.WriteLineAsync($"{passed} passed, {failed} failed").ConfigureAwait(false);
        return failed == 0 ? GatewayCli.Success : GatewayCli.CheckFailed;
    }

    private static List<string> Check(PolicyExpectation expect, PolicyDecision decision)
    {
        var problems = new List<string>();
        if (expect.Decision != decision.Effect.ToName())
        {
            problems.Add($"expected decision {expect.Decision}, got {decision.Effect.ToName()}");
        }

        if (expect.MatchedRules is { } rules && !rules.Order(StringComparer.Ordinal).SequenceEqual(decision.MatchedRules.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            problems.Add($"expected matched rules [{string.Join(", ", rules)}], got [{string.Join(", ", decision.MatchedRules)}]");
        }

        foreach (var text in expect.ReasonsContain.Where(t => !decision.Reasons.Any(r => r.Contains(t, StringComparison.OrdinalIgnoreCase))))
        {
            problems.Add($"expected a reason containing '{text}'");
        }

        foreach (var (name, expected) in expect.Obligations)
        {
            if (!decision.Obligations.TryGetValue(name, out var actual))
            {
                problems.Add($"expected obligation {name}, which the decision does not carry");
            }
            else if (!ObligationMatches(actual, expected))
            {
                problems.Add($"expected obligation {name} = {expected.GetRawText()}, got {actual}");
            }
        }

        if (expect.Approvers is { } approvers)
        {
            var actual = decision.Approvals.SelectMany(a => a.Groups).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            if (!approvers.Order(StringComparer.Ordinal).SequenceEqual(actual, StringComparer.Ordinal))
            {
                problems.Add($"expected approvers [{string.Join(", ", approvers)}], got [{string.Join(", ", actual)}]");
            }
        }

        return problems;
    }

    private static bool ObligationMatches(ObligationValue actual, JsonElement expected)
    {
        var text = expected.ValueKind == JsonValueKind.String ? expected.GetString()! : expected.GetRawText();
        return actual.Kind switch
        {
            ObligationKind.Duration => DurationText.TryParse(text, out var d) && d == actual.Duration,
            ObligationKind.Size => SizeText.TryParse(text, out var s) && s == actual.Number,
            ObligationKind.Count => long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var c) && c == actual.Number,
            ObligationKind.Flag or ObligationKind.Grant => bool.TryParse(text, out var f) && f == actual.Flag,
            ObligationKind.Rate => RateText.TryParse(text, out var r) && r == actual.Rate,
            _ => (expected.ValueKind == JsonValueKind.Array ? expected.EnumerateArray().Select(e => e.GetString() ?? string.Empty) : [text])
                .Order(StringComparer.Ordinal).SequenceEqual(actual.Profiles, StringComparer.Ordinal),
        };
    }
}
