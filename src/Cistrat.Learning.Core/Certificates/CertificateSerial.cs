using System.Security.Cryptography;

namespace Cistrat.Learning.Core.Certificates;

/// <summary>
/// Serials are 15 random symbols of Crockford's base 32 (75 bits: guessing one is hopeless, even before the rate
/// limit) and a Luhn mod 32 check symbol that catches a mistyped or swapped character before any lookup. Shown in
/// four groups, <c>K7M2-9QP4-RT8V-WX3J</c>; read in any case, with or without dashes, O as 0, I and L as 1.
/// </summary>
public static class CertificateSerial
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int RandomSymbols = 15;

    public static string New()
    {
        Span<char> symbols = stackalloc char[RandomSymbols + 1];
        for (var i = 0; i < RandomSymbols; i++)
            symbols[i] = Alphabet[RandomNumberGenerator.GetInt32(32)];
        symbols[RandomSymbols] = Alphabet[CheckValue(symbols[..RandomSymbols])];
        return Group(symbols);
    }

    /// <summary>The canonical form of what someone typed, or null when it cannot be a serial (wrong length, symbol or check).</summary>
    public static string? Normalize(string? typed)
    {
        if (string.IsNullOrWhiteSpace(typed) || typed.Length > 40)
            return null;
        Span<char> symbols = stackalloc char[RandomSymbols + 1];
        var count = 0;
        foreach (var raw in typed)
        {
            if (raw is '-' or ' ')
                continue;
            var c = char.ToUpperInvariant(raw) switch { 'O' => '0', 'I' or 'L' => '1', var other => other };
            if (Alphabet.IndexOf(c) < 0 || count == symbols.Length)
                return null;
            symbols[count++] = c;
        }

        if (count != symbols.Length || Alphabet[CheckValue(symbols[..RandomSymbols])] != symbols[RandomSymbols])
            return null;
        return Group(symbols);
    }

    /// <summary>Luhn mod N over the alphabet's values: catches every single-symbol error and most adjacent swaps.</summary>
    private static int CheckValue(ReadOnlySpan<char> symbols)
    {
        var factor = 2;
        var sum = 0;
        for (var i = symbols.Length - 1; i >= 0; i--)
        {
            var addend = factor * Alphabet.IndexOf(symbols[i]);
            factor = factor == 2 ? 1 : 2;
            sum += (addend / 32) + (addend % 32);
        }

        return (32 - (sum % 32)) % 32;
    }

    private static string Group(ReadOnlySpan<char> symbols) =>
        $"{symbols[..4]}-{symbols[4..8]}-{symbols[8..12]}-{symbols[12..]}";
}
