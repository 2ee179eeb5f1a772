using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Certificates;

namespace Cistrat.Learning.Core.Tests.Certificates;

public sealed partial class CertificateSerialTests
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly string[] LuhnBlindPairs = ["0Z", "Z0"];

    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")]
    private static partial Regex Grouped();

    [Fact]
    public void New_IsFourGroupsOfFourCrockfordSymbols_AndItsOwnCanonicalForm()
    {
        for (var i = 0; i < 2_000; i++)
        {
            var serial = CertificateSerial.New();
            Assert.Matches(Grouped(), serial);
            Assert.Equal(serial, CertificateSerial.Normalize(serial));
        }
    }

    [Fact]
    public void New_IsUnique_Over100000Serials_AndUsesTheWholeAlphabetInEveryRandomPosition()
    {
        const int count = 100_000;
        var serials = new HashSet<string>(StringComparer.Ordinal);
        var seen = Enumerable.Range(0, 15).Select(_ => new HashSet<char>()).ToArray();
        for (var i = 0; i < count; i++)
        {
            var serial = CertificateSerial.New();
            if (!serials.Add(serial))
                Assert.Fail($"Serial {serial} came out twice in {i + 1} serials.");
            var symbols = serial.Replace("-", "", StringComparison.Ordinal);
            for (var p = 0; p < 15; p++)
                seen[p].Add(symbols[p]);
        }

        // 100,000 draws per position: a symbol missing anywhere means the generator cannot reach it (fewer bits than claimed).
        for (var p = 0; p < 15; p++)
            Assert.True(seen[p].Count == 32, $"Position {p} used {seen[p].Count} of 32 symbols: missing {new string(Alphabet.Except(seen[p]).ToArray())}.");
    }

    [Fact]
    public void Normalize_AcceptsLowerCase_NoDashes_Spaces_AndTheLookAlikeLetters()
    {
        var serial = SerialContaining('0', '1');
        var bare = serial.Replace("-", "", StringComparison.Ordinal);

        Assert.Equal(serial, CertificateSerial.Normalize(serial.ToLowerInvariant()));
        Assert.Equal(serial, CertificateSerial.Normalize(bare));
        Assert.Equal(serial, CertificateSerial.Normalize(bare.ToLowerInvariant()));
        Assert.Equal(serial, CertificateSerial.Normalize($"  {serial[..4]} {serial[5..9]} {serial[10..14]} {serial[15..]} "));
        Assert.Equal(serial, CertificateSerial.Normalize(serial.Replace('0', 'O')));
        Assert.Equal(serial, CertificateSerial.Normalize(serial.Replace('0', 'o')));
        Assert.Equal(serial, CertificateSerial.Normalize(serial.Replace('1', 'I')));
        Assert.Equal(serial, CertificateSerial.Normalize(serial.Replace('1', 'l')));
        Assert.Equal(serial, CertificateSerial.Normalize(serial.Replace('1', 'L')));
    }

    [Fact]
    public void Normalize_RejectsEverySingleSymbolSubstitution()
    {
        var checkedCount = 0;
        for (var n = 0; n < 200; n++)
        {
            var symbols = CertificateSerial.New().Replace("-", "", StringComparison.Ordinal).ToCharArray();
            for (var p = 0; p < symbols.Length; p++)
            {
                var original = symbols[p];
                foreach (var other in Alphabet.Where(c => c != original))
                {
                    symbols[p] = other;
                    var typed = new string(symbols);
                    Assert.True(CertificateSerial.Normalize(typed) is null, $"{typed} (position {p}: {original} -> {other}) was accepted.");
                    checkedCount++;
                }

                symbols[p] = original;
            }
        }

        Assert.Equal(200 * 16 * 31, checkedCount);
    }

    [Fact]
    public void Normalize_CatchesAdjacentSwaps_ExceptOnlyTheLuhnBlindPair()
    {
        var swaps = 0;
        var missed = new List<string>();
        for (var n = 0; n < 5_000; n++)
        {
            var symbols = CertificateSerial.New().Replace("-", "", StringComparison.Ordinal).ToCharArray();
            for (var p = 0; p < symbols.Length - 1; p++)
            {
                if (symbols[p] == symbols[p + 1])
                    continue;
                var swapped = (char[])symbols.Clone();
                (swapped[p], swapped[p + 1]) = (swapped[p + 1], swapped[p]);
                swaps++;
                if (CertificateSerial.Normalize(new string(swapped)) is not null)
                    missed.Add($"{symbols[p]}{symbols[p + 1]}");
            }
        }

        // Luhn mod 32 misses exactly one kind of adjacent swap: the first and last symbols of the alphabet ("0Z" <-> "Z0").
        Assert.All(missed, pair => Assert.Contains(pair, LuhnBlindPairs));
        var catchRate = 1 - ((double)missed.Count / swaps);
        Assert.True(catchRate > 0.99, $"Only {catchRate:P2} of {swaps} adjacent swaps were caught.");
    }

    [Fact]
    public void Normalize_RejectsWrongLengths()
    {
        var bare = CertificateSerial.New().Replace("-", "", StringComparison.Ordinal);

        Assert.Null(CertificateSerial.Normalize(bare[..15]));
        Assert.Null(CertificateSerial.Normalize(bare + "0"));
        Assert.Null(CertificateSerial.Normalize(bare + bare));
        Assert.Null(CertificateSerial.Normalize(bare[1..]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("----")]
    [InlineData("hello")]
    [InlineData("0000-0000-0000-000")]
    public void Normalize_RejectsJunk(string? typed) => Assert.Null(CertificateSerial.Normalize(typed));

    [Fact]
    public void Normalize_RejectsJunkAroundOrInsideAValidSerial()
    {
        // Built from a valid serial, so that it is the junk, not the check symbol, that gets them refused.
        var serial = CertificateSerial.New();
        Assert.NotNull(CertificateSerial.Normalize(serial));

        Assert.Null(CertificateSerial.Normalize(serial + "; DROP TABLE Certificates"));
        Assert.Null(CertificateSerial.Normalize(serial + "U"));
        Assert.Null(CertificateSerial.Normalize(serial[..^1] + "U"));
        Assert.Null(CertificateSerial.Normalize(serial.Replace('-', '_')));
        Assert.Null(CertificateSerial.Normalize(serial.Replace('-', '\n')));
        Assert.Null(CertificateSerial.Normalize(serial + "\u0000"));
        // Look-alikes from other scripts are not the ASCII symbols: fullwidth forms, the dotted capital I.
        Assert.Null(CertificateSerial.Normalize(string.Concat(serial.Select(c => c is >= 'A' and <= 'Z' ? (char)(c - 'A' + '\uFF21') : c))));
        Assert.Null(CertificateSerial.Normalize(serial[..^1] + "\u0130"));
    }

    [Fact]
    public void Normalize_RejectsAValidSerialDrownedInSeparators()
    {
        var serial = CertificateSerial.New();

        Assert.Equal(serial, CertificateSerial.Normalize(serial.Replace("-", " - ", StringComparison.Ordinal)));
        Assert.Null(CertificateSerial.Normalize(new string('-', 30) + serial));
    }

    private static string SerialContaining(char a, char b)
    {
        for (var i = 0; ; i++)
        {
            var serial = CertificateSerial.New();
            if (serial.Contains(a, StringComparison.Ordinal) && serial.Contains(b, StringComparison.Ordinal))
                return serial;
            Assert.True(i < 100_000, "No serial with both symbols in 100,000 tries.");
        }
    }
}
