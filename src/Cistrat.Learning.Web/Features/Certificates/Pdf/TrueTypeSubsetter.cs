using System.Buffers.Binary;

namespace Cistrat.Learning.Web.Features.Certificates.Pdf;

/// <summary>
/// Cuts a TrueType (glyf) font down to the glyphs one document uses, keeping every glyph id where it was: unused
/// glyphs become empty, and the tables a PDF viewer never reads (layout, hinting, kerning) are left out. Skia's PDF
/// backend embeds the font it is given whole, so a certificate embeds a few kilobytes instead of a 600 KB font.
/// Shaping still runs on the full font: only the drawing uses the cut one.
/// </summary>
public sealed class TrueTypeSubsetter
{
    // What FreeType needs to load glyphs and Skia needs for the PDF's font descriptor and ToUnicode map.
    private static readonly string[] Kept = ["OS/2", "cmap", "head", "hhea", "hmtx", "maxp", "name", "post"];

    private readonly byte[] _font;
    private readonly Dictionary<string, (int Offset, int Length)> _tables = new(StringComparer.Ordinal);
    private readonly int[] _loca;

    private TrueTypeSubsetter(byte[] font)
    {
        _font = font;
        var numTables = BinaryPrimitives.ReadUInt16BigEndian(font.AsSpan(4));
        for (var i = 0; i < numTables; i++)
        {
            var record = font.AsSpan(12 + (16 * i));
            var tag = System.Text.Encoding.ASCII.GetString(record[..4]);
            _tables[tag] = ((int)BinaryPrimitives.ReadUInt32BigEndian(record[8..]), (int)BinaryPrimitives.ReadUInt32BigEndian(record[12..]));
        }

        if (!_tables.ContainsKey("glyf") || !_tables.ContainsKey("loca") || !_tables.ContainsKey("head") || !_tables.ContainsKey("maxp"))
            throw new NotSupportedException("Only TrueType-outline fonts (with glyf and loca tables) can be subset here.");
        GlyphCount = BinaryPrimitives.ReadUInt16BigEndian(Table("maxp")[4..]);
        var longLoca = BinaryPrimitives.ReadInt16BigEndian(Table("head")[50..]) == 1;
        var loca = Table("loca");
        _loca = new int[GlyphCount + 1];
        for (var g = 0; g <= GlyphCount; g++)
            _loca[g] = longLoca ? (int)BinaryPrimitives.ReadUInt32BigEndian(loca[(4 * g)..]) : 2 * BinaryPrimitives.ReadUInt16BigEndian(loca[(2 * g)..]);
    }

    public int GlyphCount { get; }

    /// <summary>Null when the data is not a single TrueType-outline font (a CFF font or a collection): use it as it is.</summary>
    public static TrueTypeSubsetter? TryCreate(byte[] font)
    {
        ArgumentNullException.ThrowIfNull(font);
        if (font.Length < 12 || BinaryPrimitives.ReadUInt32BigEndian(font) is not (0x00010000 or 0x74727565))
            return null;
        try
        {
            return new TrueTypeSubsetter(font);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>A font with the same glyph ids in which only these glyphs (and the parts composite glyphs are built of) have outlines.</summary>
    public byte[] Subset(IEnumerable<ushort> glyphs)
    {
        ArgumentNullException.ThrowIfNull(glyphs);
        var used = new HashSet<int> { 0 };
        var pending = new Stack<int>(glyphs.Select(g => (int)g).Where(g => g < GlyphCount));
        while (pending.TryPop(out var glyph))
        {
            if (!used.Add(glyph) && glyph != 0)
                continue;
            foreach (var component in Components(glyph))
            {
                if (!used.Contains(component))
                    pending.Push(component);
            }
        }

        var glyf = Table("glyf");
        var newGlyf = new MemoryStream();
        var newLoca = new byte[4 * (GlyphCount + 1)];
        for (var g = 0; g < GlyphCount; g++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(newLoca.AsSpan(4 * g), (uint)newGlyf.Length);
            if (!used.Contains(g))
                continue;
            newGlyf.Write(glyf[_loca[g].._loca[g + 1]]);
            while (newGlyf.Length % 4 != 0)
                newGlyf.WriteByte(0);
        }

        BinaryPrimitives.WriteUInt32BigEndian(newLoca.AsSpan(4 * GlyphCount), (uint)newGlyf.Length);

        var head = Table("head").ToArray();
        BinaryPrimitives.WriteInt16BigEndian(head.AsSpan(50), 1); // long loca offsets
        BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(8), 0); // checkSumAdjustment: no reader verifies it
        var post = Table("post")[..32].ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(post, 0x00030000); // version 3: no glyph names

        var tables = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["glyf"] = newGlyf.ToArray(),
            ["loca"] = newLoca,
            ["head"] = head,
            ["post"] = post,
        };
        foreach (var tag in Kept)
        {
            if (!tables.ContainsKey(tag) && _tables.ContainsKey(tag))
                tables[tag] = Table(tag).ToArray();
        }

        return Write(tables);
    }

    private ReadOnlySpan<byte> Table(string tag)
    {
        var (offset, length) = _tables[tag];
        return _font.AsSpan(offset, length);
    }

    /// <summary>The glyphs a composite glyph is made of (none for a simple glyph).</summary>
    private List<int> Components(int glyph)
    {
        if (glyph >= GlyphCount || _loca[glyph + 1] - _loca[glyph] < 10)
            return [];
        var data = Table("glyf")[_loca[glyph].._loca[glyph + 1]];
        if (BinaryPrimitives.ReadInt16BigEndian(data) >= 0)
            return [];
        var components = new List<int>();
        var at = 10;
        while (at + 4 <= data.Length)
        {
            var flags = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
            components.Add(BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]));
            at += 4 + ((flags & 0x0001) != 0 ? 4 : 2);
            if ((flags & 0x0008) != 0)
                at += 2;
            else if ((flags & 0x0040) != 0)
                at += 4;
            else if ((flags & 0x0080) != 0)
                at += 8;
            if ((flags & 0x0020) == 0)
                break;
        }

        return components;
    }

    private static byte[] Write(SortedDictionary<string, byte[]> tables)
    {
        var count = tables.Count;
        var entrySelector = (int)Math.Floor(Math.Log2(count));
        var searchRange = (1 << entrySelector) * 16;
        var offset = 12 + (16 * count);
        var output = new byte[offset + tables.Values.Sum(t => (t.Length + 3) & ~3)];
        BinaryPrimitives.WriteUInt32BigEndian(output, 0x00010000);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(4), (ushort)count);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(6), (ushort)searchRange);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(8), (ushort)entrySelector);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(10), (ushort)((count * 16) - searchRange));
        var i = 0;
        foreach (var (tag, data) in tables)
        {
            var record = output.AsSpan(12 + (16 * i++));
            System.Text.Encoding.ASCII.GetBytes(tag, record);
            BinaryPrimitives.WriteUInt32BigEndian(record[4..], Checksum(data));
            BinaryPrimitives.WriteUInt32BigEndian(record[8..], (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(record[12..], (uint)data.Length);
            data.CopyTo(output.AsSpan(offset));
            offset += (data.Length + 3) & ~3;
        }

        return output;
    }

    private static uint Checksum(byte[] data)
    {
        uint sum = 0;
        var whole = data.Length & ~3;
        for (var i = 0; i < whole; i += 4)
            sum += BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(i));
        for (var i = whole; i < data.Length; i++)
            sum += (uint)data[i] << (24 - (8 * (i - whole)));
        return sum;
    }
}
