using System.IO.Compression;
using System.Text.Json.Nodes;
using Cistrat.Learning.Core.Certificates;
using Base64Url = System.Buffers.Text.Base64Url;

namespace Cistrat.Learning.Core.Tests.Certificates;

/// <summary>W3C Bitstring Status List: multibase 'u' + base64url(GZIP(bits)), bit 0 = most significant bit of byte 0.</summary>
public sealed class StatusListTests
{
    private static readonly int[] Edges = [0, 7, 8, 131_071];

    [Fact]
    public void EncodeThenIsSet_RoundTrips_AtTheEdges_AndLeavesTheNeighboursClear()
    {
        var encoded = StatusList.Encode(Edges);

        foreach (var index in Edges)
            Assert.True(StatusList.IsSet(encoded, index), $"Index {index} should be set.");
        foreach (var index in new[] { 1, 6, 9, 15, 16, 65_536, 131_070 })
            Assert.False(StatusList.IsSet(encoded, index), $"Index {index} should be clear.");
    }

    [Fact]
    public void Encode_PutsIndexZeroInTheMostSignificantBit_ReadIndependently()
    {
        var bytes = Decompress(StatusList.Encode(Edges));

        Assert.Equal(16 * 1024, bytes.Length);
        Assert.Equal(0b1000_0001, bytes[0]);
        Assert.Equal(0b1000_0000, bytes[1]);
        Assert.Equal(0b0000_0001, bytes[^1]);
        Assert.Equal(4, bytes.Sum(b => System.Numerics.BitOperations.PopCount(b)));
    }

    [Fact]
    public void Encode_OfNothing_Is16KbOfZeros_AndSmallOnTheWire()
    {
        var encoded = StatusList.Encode([]);
        var bytes = Decompress(encoded);

        Assert.Equal(131_072 / 8, bytes.Length);
        Assert.All(bytes, b => Assert.Equal(0, b));
        Assert.True(encoded.Length < 200, $"An empty list took {encoded.Length} characters; GZIP of zeros should be tiny.");
        Assert.False(StatusList.IsSet(encoded, 0));
        Assert.False(StatusList.IsSet(encoded, 131_071));
    }

    [Fact]
    public void Encode_IsMultibaseBase64Url_WithoutPadding()
    {
        var encoded = StatusList.Encode(Enumerable.Range(0, 1000).Select(i => i * 131));

        Assert.StartsWith("u", encoded, StringComparison.Ordinal);
        Assert.Matches("^u[A-Za-z0-9_-]+$", encoded);
    }

    [Fact]
    public void Encode_ManyRandomIndexes_ReadsBackExactly()
    {
        var random = new Random(7);
        var revoked = Enumerable.Range(0, 5_000).Select(_ => random.Next(StatusList.Size)).ToHashSet();
        var encoded = StatusList.Encode(revoked);
        var bytes = Decompress(encoded);

        for (var i = 0; i < StatusList.Size; i++)
        {
            var independent = (bytes[i / 8] & (0x80 >> (i % 8))) != 0;
            Assert.True(revoked.Contains(i) == independent, $"Index {i}: expected {revoked.Contains(i)}.");
        }

        Assert.All(revoked.Take(200), i => Assert.True(StatusList.IsSet(encoded, i)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(131_072)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Encode_ThrowsForAnIndexOutsideTheList(int index) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StatusList.Encode([5, index]));

    [Theory]
    [InlineData(-1)]
    [InlineData(131_072)]
    public void IsSet_ThrowsForAnIndexOutsideTheList(int index) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StatusList.IsSet(StatusList.Encode([0]), index));

    [Fact]
    public void IsSet_RefusesAListWithoutTheMultibasePrefix()
    {
        var encoded = StatusList.Encode([3]);

        Assert.Throws<FormatException>(() => StatusList.IsSet(encoded[1..], 3));
        Assert.Throws<FormatException>(() => StatusList.IsSet("z" + encoded[1..], 3));
    }

    [Fact]
    public void RandomIndex_StaysInsideTheList_AndSpreadsOverIt()
    {
        var indexes = Enumerable.Range(0, 20_000).Select(_ => StatusList.RandomIndex()).ToList();

        Assert.All(indexes, i => Assert.InRange(i, 0, StatusList.Size - 1));
        // Spread over the whole range, not clustered: each eighth of the list gets some.
        Assert.Equal(8, indexes.Select(i => i / (StatusList.Size / 8)).Distinct().Count());
    }

    [Fact]
    public void Credential_IsABitstringStatusListCredential_ThatVerifies()
    {
        var issuer = CertificateSamples.Issuer;
        var now = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var encoded = StatusList.Encode([42]);

        var credential = StatusList.Credential(issuer, encoded, now);
        var check = VcJwt.Verify(VcJwt.Sign(credential, TestKeys.Issuer), TestKeys.Ring(), now);

        Assert.True(check.Valid, check.Error);
        var payload = check.Payload!;
        Assert.Equal("https://www.w3.org/ns/credentials/v2", payload["@context"]![0]!.GetValue<string>());
        Assert.Contains("BitstringStatusListCredential", payload["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(issuer.StatusListUrl, payload["id"]!.GetValue<string>());
        var subject = payload["credentialSubject"]!.AsObject();
        Assert.Equal(("BitstringStatusList", "revocation"), (subject["type"]!.GetValue<string>(), subject["statusPurpose"]!.GetValue<string>()));
        var list = subject["encodedList"]!.GetValue<string>();
        Assert.True(StatusList.IsSet(list, 42));
        Assert.False(StatusList.IsSet(list, 43));
        Assert.Equal(issuer.Id, payload["iss"]!.GetValue<string>());
        Assert.IsType<JsonObject>(payload);
    }

    /// <summary>Decodes the list without StatusList's own reader.</summary>
    private static byte[] Decompress(string encoded)
    {
        Assert.Equal('u', encoded[0]);
        using var gzip = new GZipStream(new MemoryStream(Base64Url.DecodeFromChars(encoded.AsSpan(1))), CompressionMode.Decompress);
        using var bits = new MemoryStream();
        gzip.CopyTo(bits);
        return bits.ToArray();
    }
}
