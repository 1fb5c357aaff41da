using McpGateway.Pipeline;

namespace McpGateway.Tests.Pipeline;

/// <summary>Call ids: one shape, unique, and in the order they were made (so the store's call-id indexes grow at their end).</summary>
public sealed class CallIdTests
{
    [Fact]
    public void Ids_made_later_sort_later_and_ids_made_in_the_same_millisecond_still_differ()
    {
        var start = new DateTimeOffset(2026, 11, 29, 19, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 2000).Select(i => SessionIds.NewCallId(start.AddMilliseconds(i / 4))).ToList();

        ids.Should().AllSatisfy(id => id.Should().MatchRegex("^call-[0-9a-f]{24}$"));
        ids.Should().OnlyHaveUniqueItems();
        for (var i = 4; i < ids.Count; i += 4)
        {
            string.CompareOrdinal(ids[i - 1], ids[i]).Should().BeNegative("an id of a later millisecond sorts after every earlier one");
        }

        SessionIds.NewCallId(start)[5..17].Should().Be(start.ToUnixTimeMilliseconds().ToString("x12", System.Globalization.CultureInfo.InvariantCulture));
    }
}
