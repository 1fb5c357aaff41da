using McpGateway.Policies.Masking;

namespace Policies.Tests.Masking;

/// <summary>Each detector finds its values in ordinary surroundings, and leaves the near-misses that look like them.</summary>
public sealed class DetectorTests
{
    private static readonly Masker Default = new(MaskingProfile.Default);

    [Theory]
    [InlineData("alice@example.com", "[EMAIL]")]
    [InlineData("first.last+tag@mail.example.co.uk", "[EMAIL]")]
    [InlineData("4111111111111111", "[CARD]")]
    [InlineData("4111 1111 1111 1111", "[CARD]")]
    [InlineData("4111-1111-1111-1111", "[CARD]")]
    [InlineData("5555555555554444", "[CARD]")]
    [InlineData("2223003122003222", "[CARD]")]
    [InlineData("378282246310005", "[CARD]")]
    [InlineData("3782 822463 10005", "[CARD]")]
    [InlineData("6011111111111117", "[CARD]")]
    [InlineData("3530111333300000", "[CARD]")]
    [InlineData("4222222222222", "[CARD]")]
    [InlineData("123-45-6789", "[SSN]")]
    [InlineData("665 12 0001", "[SSN]")]
    [InlineData("DE89370400440532013000", "[IBAN]")]
    [InlineData("DE89 3704 0044 0532 0130 00", "[IBAN]")]
    [InlineData("GB82WEST12345698765432", "[IBAN]")]
    [InlineData("FR1420041010050500013M02606", "[IBAN]")]
    [InlineData("NO9386011117947", "[IBAN]")]
    [InlineData("+1 415 555 2671", "[PHONE]")]
    [InlineData("+14155552671", "[PHONE]")]
    [InlineData("+44 20 7946 0958", "[PHONE]")]
    [InlineData("+1 (415) 555-2671", "[PHONE]")]
    [InlineData("(415) 555-2671", "[PHONE]")]
    [InlineData("415-555-2671", "[PHONE]")]
    [InlineData("415.555.2671", "[PHONE]")]
    [InlineData("1-800-555-0199", "[PHONE]")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "[JWT]")]
    [InlineData("AKIAIOSFODNN7EXAMPLE", "[AWS_ACCESS_KEY]")]
    [InlineData("ASIAY34FZKBOKMUTVV7A", "[AWS_ACCESS_KEY]")]
    [InlineData("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "[GITHUB_TOKEN]")]
    [InlineData("github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh", "[GITHUB_TOKEN]")]
    [InlineData("glpat-xxxxxxxxxxxxxxxxxxxx", "[GITLAB_TOKEN]")]
    [InlineData("xoxb-2934567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "[SLACK_TOKEN]")]
    [InlineData("mgw_abcdefghij234567_abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst", "[GATEWAY_KEY]")]
    public void A_value_in_text_is_replaced_by_its_marker(string value, string marker)
    {
        Default.MaskText($"found {value} here").Should().Be($"found {marker} here");
        Default.MaskText(value).Should().Be(marker);
        Default.MaskText($"\"{value}\",").Should().Be($"\"{marker}\",");
    }

    [Theory]
    [InlineData("build 4111111111111112 failed")]                        // Luhn fails
    [InlineData("epoch ms 1714567890123 and ns 1714567890123456789")]     // timestamps
    [InlineData("id 550e8400-e29b-41d4-a716-446655440000")]               // UUID
    [InlineData("uuid 12345678-1234-1234-1234-123456789012")]             // all-digit UUID
    [InlineData("version 10.0.401 and 1.2.3.4567")]                       // versions
    [InlineData("at 2024-05-01T12:34:56.789Z took 1234 ms")]              // timestamps
    [InlineData("date 2024-05-01 or 01/05/2024")]                         // dates
    [InlineData("price $1,299.99 or 4111.11 EUR, total 1234567.89")]      // amounts
    [InlineData("load average: 0.52, 0.58, 0.59")]                        // load averages
    [InlineData("ip 192.168.100.200 port 5432")]                          // addresses
    [InlineData("pid 4242 uid 1000 gid 1000 inode 123456789012")]         // ids
    [InlineData("sha 4c3e8a8f1d2b7e6a9c0b1d2e3f4a5b6c7d8e9f0a")]             // hashes
    [InlineData("000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000")] // SSN outside issued ranges
    [InlineData("123456789 and 123-456-789")]                              // nine digits, not an SSN form
    [InlineData("DE89370400440532013001")]                                // IBAN mod-97 fails
    [InlineData("DE8937040044053201300")]                                 // IBAN short for its country
    [InlineData("XX89370400440532013000")]                                // unknown country
    [InlineData("call 555-0199 or 123-555-2671 or 415-155-2671")]          // seven digits, bad area, bad exchange
    [InlineData("ticket 4155552671 and +0 12345678")]                      // ten bare digits, '+0'
    [InlineData("user@localhost and npm @scope/pkg and image@sha256:abc")] // no domain
    [InlineData("ssh git@10.0.0.1 and a@b.c and x@y.123")]                // numeric or short TLD
    [InlineData("AKIAIOSFODNN7EXAMPL and AKIAIOSFODNN7EXAMPLE1")]          // wrong length
    [InlineData("ghp_short and glpat-short and xoxb-1 and mgw_short_key")] // prefixes without a token
    [InlineData("eyJhbGciOi.short and eyJ alone")]                        // not a JWT
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")] // certificates are public
    [InlineData("max_tokens: 512, total_tokens=900, token_type: bearer, secretName: db")] // names that are not secrets
    [InlineData("nextPageToken: abc123 and the token was fine")]
    [InlineData("PWD=/home/app OLDPWD=/tmp")]
    [InlineData("https://example.com/path?q=1 and postgres://db.internal:5432/app")]
    public void Ordinary_text_is_left_alone(string text)
    {
        Default.MaskText(text).Should().BeSameAs(text);
    }

    [Theory]
    [InlineData("postgres://app:s3cr3t@db:5432/app", "postgres://app:[PASSWORD]@db:5432/app")]
    [InlineData("amqp://guest:p@ss@w0rd@rabbit/", "amqp://guest:[PASSWORD]@rabbit/")]
    [InlineData("Server=db;User Id=app;Password=s3cr3t;Database=x", "Server=db;User Id=app;Password=[PASSWORD];Database=x")]
    [InlineData("host=db user=app password='a b;c' dbname=x", "host=db user=app password='[PASSWORD]' dbname=x")]
    [InlineData("Pwd=hunter2;", "Pwd=[PASSWORD];")]
    [InlineData("PGPASSWORD=hunter2 psql", "PGPASSWORD=[PASSWORD] psql")]
    [InlineData("{\"password\": \"hunter2\", \"user\": \"bob\"}", "{\"password\": \"[SECRET]\", \"user\": \"bob\"}")]
    [InlineData("{\"client_secret\":\"abc\\\"def\"}", "{\"client_secret\":\"[SECRET]\"}")]
    [InlineData("\"{\\\"api_key\\\":\\\"k-123\\\"}\"", "\"{\\\"api_key\\\":\\\"[SECRET]\\\"}\"")]
    [InlineData("db_password: correct horse battery\nnext: 1", "db_password: [SECRET]\nnext: 1")]
    [InlineData("Authorization: Bearer abc.def.ghi", "Authorization: [SECRET]")]
    [InlineData("X-Api-Key: 1234abcd", "X-Api-Key: [SECRET]")]
    [InlineData("--token=abc123 --verbose", "--token=[SECRET] --verbose")]
    [InlineData("<password>hunter2</password>", "<password>[SECRET]</password>")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = [AWS_SECRET_KEY]")]
    [InlineData("AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[AWS_ACCESS_KEY],[AWS_SECRET_KEY]")]
    [InlineData("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "https://hooks.slack.com/services/[SLACK_TOKEN]")]
    public void Secrets_in_fields_and_connection_strings_are_masked_and_their_names_kept(string text, string expected)
    {
        Default.MaskText(text).Should().Be(expected);
    }

    [Fact]
    public void A_private_key_block_is_masked_whole_and_a_truncated_one_to_the_end()
    {
        const string Key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc/def+==\n-----END RSA PRIVATE KEY-----";

        Default.MaskText($"key:\n{Key}\ndone").Should().Be("key:\n[PRIVATE_KEY]\ndone");
        Default.MaskText(Key.Replace("\n", "\\n", StringComparison.Ordinal)).Should().Be("[PRIVATE_KEY]");
        Default.MaskText("x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk").Should().Be("x [PRIVATE_KEY]");
    }

    [Fact]
    public void A_card_inside_a_longer_group_run_is_found()
    {
        Default.MaskText("cards 12 4111 1111 1111 1111 ok").Should().Be("cards 12 [CARD] ok");
    }

    [Fact]
    public void Overlapping_values_are_masked_as_one_stretch()
    {
        var masked = Default.MaskText("dsn=postgres://u:alice@example.com@db/x");

        masked.Should().NotContain("alice").And.NotContain("example.com@");
    }

    [Fact]
    public void Values_already_masked_are_left_as_they_are()
    {
        const string Masked = "password=[PASSWORD] token: [SECRET] postgres://u:****word@h/ key=tok_bcdfghjklmnpqrst";

        Default.MaskText(Masked).Should().BeSameAs(Masked);
    }
}
