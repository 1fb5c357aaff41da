using McpGateway.Policies.Masking.Detection;

namespace Policies.Tests.Masking;

/// <summary>The check digits and ranges at their edges.</summary>
public sealed class ChecksumTests
{
    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("4111111111111112", false)]
    [InlineData("79927398713", true)]
    [InlineData("79927398710", false)]
    [InlineData("0", true)]
    [InlineData("18", true)]
    [InlineData("19", false)]
    public void Luhn_accepts_only_a_valid_check_digit(string digits, bool valid)
    {
        Checksums.Luhn(digits).Should().Be(valid);
    }

    [Theory]
    [InlineData("4111111111111111", true)]   // Visa 16
    [InlineData("4222222222222", true)]      // Visa 13
    [InlineData("5105105105105100", true)]   // Mastercard 51
    [InlineData("2221000000000009", true)]   // Mastercard 2221, lowest
    [InlineData("2720990000000007", true)]   // Mastercard 2720, highest
    [InlineData("2220990000000000", false)]  // just below the 2-series
    [InlineData("2721000000000006", false)]  // just above
    [InlineData("378282246310005", true)]    // Amex
    [InlineData("3782822463100050", false)]  // Amex with 16 digits
    [InlineData("30569309025904", true)]     // Diners 305
    [InlineData("1234567812345670", false)]  // Luhn-valid, no network starts with 1
    [InlineData("9111111111111111", false)]
    public void A_card_needs_a_network_prefix_and_length_as_well_as_Luhn(string digits, bool valid)
    {
        Checksums.IsCard(digits).Should().Be(valid);
    }

    [Theory]
    [InlineData(1, 1, 1, true)]
    [InlineData(0, 1, 1, false)]
    [InlineData(665, 99, 9999, true)]
    [InlineData(666, 1, 1, false)]
    [InlineData(667, 1, 1, true)]
    [InlineData(899, 1, 1, true)]
    [InlineData(900, 1, 1, false)]
    [InlineData(999, 1, 1, false)]
    [InlineData(123, 0, 1, false)]
    [InlineData(123, 1, 0, false)]
    public void Ssn_ranges_are_those_issued(int area, int group, int serial, bool valid)
    {
        Checksums.IsSsn(area, group, serial).Should().Be(valid);
    }

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("DE88370400440532013000", false)]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("GB82WEST1234569876543", false)]   // one short
    [InlineData("NO9386011117947", true)]          // shortest country
    [InlineData("LC55HEMM000100010012001200023015", true)] // 32 characters
    [InlineData("ZZ89370400440532013000", false)]
    [InlineData("DE8937040044053201300A", false)]
    public void Iban_needs_its_country_length_and_mod_97(string iban, bool valid)
    {
        Checksums.IsIban(iban).Should().Be(valid);
    }
}
