using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace Cistrat.Learning.Web.Infrastructure.Rendering;

/// <summary>
/// A page as Razor rendered it once, cut where per-request values go ("holes"): its fixed pieces are kept as UTF-8
/// and as deflated blocks, so a request writes the page, compressed, by copying those blocks and adding its own
/// few values as stored (uncompressed) blocks between them. No view runs and no compressor starts.
/// </summary>
/// <remarks>
/// Each fixed piece is deflated on its own and ends with a sync flush: it stops on a byte boundary, refers to
/// nothing before itself and is not the last block, which is what lets pieces and stored blocks follow each other in
/// one deflate stream (RFC 1951). The gzip member around them (RFC 1952) carries the CRC-32 and length of the whole
/// page, computed per request.
/// </remarks>
public sealed class PageTemplate
{
    /// <summary>The gzip member header: deflate, no name or time, from a Unix system.</summary>
    private static readonly byte[] GzipHeader = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];

    /// <summary>An empty stored block marked last: the end of the deflate stream.</summary>
    private static readonly byte[] FinalBlock = [0x01, 0x00, 0x00, 0xff, 0xff];

    private const int StoredBlockHeader = 5;
    private const int MaxStoredBlock = ushort.MaxValue;

    private readonly byte[][] _pieces;
    private readonly byte[][] _deflated;
    private readonly int[] _holes;

    /// <summary>The bytes of a page that do not depend on its values: the pieces, plain or with gzip's framing.</summary>
    private readonly int _plainFixed;
    private readonly int _gzipFixed;

    private PageTemplate(byte[][] pieces, byte[][] deflated, int[] holes)
    {
        _pieces = pieces;
        _deflated = deflated;
        _holes = holes;
        _plainFixed = pieces.Sum(p => p.Length);
        _gzipFixed = GzipHeader.Length + deflated.Sum(d => d.Length) + FinalBlock.Length + 8;
    }

    /// <summary>How many holes the page has: the values written into it are indexed 0 to this, exclusive.</summary>
    public int HoleCount { get; private init; }

    /// <summary>
    /// Cuts <paramref name="html"/> at every <c>marker(i)</c>, i from 0 to <paramref name="holeCount"/>. A hole may
    /// appear any number of times (or not at all).
    /// </summary>
    public static PageTemplate Parse(string html, int holeCount, Func<int, string> marker)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(marker);
        var markers = Enumerable.Range(0, holeCount).Select(marker).ToArray();
        var pieces = new List<byte[]>();
        var holes = new List<int>();
        var at = 0;
        while (true)
        {
            var (next, hole) = (-1, -1);
            for (var i = 0; i < markers.Length; i++)
            {
                var found = html.IndexOf(markers[i], at, StringComparison.Ordinal);
                if (found >= 0 && (next < 0 || found < next))
                    (next, hole) = (found, i);
            }

            if (next < 0)
                break;
            pieces.Add(Encoding.UTF8.GetBytes(html[at..next]));
            holes.Add(hole);
            at = next + markers[hole].Length;
        }

        pieces.Add(Encoding.UTF8.GetBytes(html[at..]));
        return new PageTemplate([.. pieces], [.. pieces.Select(Deflate)], [.. holes]) { HoleCount = holeCount };
    }

    /// <summary>The page with <paramref name="values"/> (UTF-8, already encoded for where they stand) in its holes.</summary>
    public byte[] Render(IReadOnlyList<byte[]> values, bool gzip)
    {
        var page = new byte[Length(values, gzip)];
        Render(values, gzip, page);
        return page;
    }

    /// <summary>The size of the page <see cref="Render(IReadOnlyList{byte[]}, bool, Span{byte})"/> writes.</summary>
    public int Length(IReadOnlyList<byte[]> values, bool gzip)
    {
        CheckCount(values);
        var length = gzip ? _gzipFixed : _plainFixed;
        foreach (var hole in _holes)
        {
            var value = values[hole].Length;
            length += gzip ? value + (StoredBlockHeader * ((value + MaxStoredBlock - 1) / MaxStoredBlock)) : value;
        }

        return length;
    }

    /// <summary>Writes the page into <paramref name="destination"/>, which holds <see cref="Length"/> bytes or more.</summary>
    public void Render(IReadOnlyList<byte[]> values, bool gzip, Span<byte> destination)
    {
        CheckCount(values);
        var span = destination;
        if (!gzip)
        {
            for (var i = 0; i < _pieces.Length; i++)
            {
                span = Put(span, _pieces[i]);
                if (i < _holes.Length)
                    span = Put(span, values[_holes[i]]);
            }

            return;
        }

        var crc = new Crc32();
        long length = 0;
        span = Put(span, GzipHeader);
        for (var i = 0; i < _pieces.Length; i++)
        {
            span = Put(span, _deflated[i]);
            crc.Append(_pieces[i]);
            length += _pieces[i].Length;
            if (i >= _holes.Length)
                continue;
            var value = values[_holes[i]];
            crc.Append(value);
            length += value.Length;
            for (var offset = 0; offset < value.Length; offset += MaxStoredBlock)
            {
                var block = value.AsSpan(offset, Math.Min(MaxStoredBlock, value.Length - offset));
                span[0] = 0x00; // not last, stored; the rest of the byte is padding
                BinaryPrimitives.WriteUInt16LittleEndian(span[1..], (ushort)block.Length);
                BinaryPrimitives.WriteUInt16LittleEndian(span[3..], (ushort)~block.Length);
                span = Put(span[StoredBlockHeader..], block);
            }
        }

        span = Put(span, FinalBlock);
        crc.GetCurrentHash(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], unchecked((uint)length));
    }

    private void CheckCount(IReadOnlyList<byte[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != HoleCount)
            throw new ArgumentException($"The template has {HoleCount} holes; {values.Count} values were given.", nameof(values));
    }

    private static Span<byte> Put(Span<byte> to, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(to);
        return to[bytes.Length..];
    }

    /// <summary>Deflates one piece on its own, ending with a sync flush and without a last block.</summary>
    private static byte[] Deflate(byte[] piece)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(64, piece.Length / 2));
        using var sink = new BufferStream(output);
        var deflate = new DeflateStream(sink, CompressionLevel.SmallestSize, leaveOpen: true);
        deflate.Write(piece);
        deflate.Flush();
        var flushed = output.WrittenSpan.ToArray();
        // Disposing writes the last block, which is not wanted here: the page ends with its own.
        deflate.Dispose();
        return flushed;
    }

    /// <summary>A write-only stream over a buffer writer.</summary>
    private sealed class BufferStream(ArrayBufferWriter<byte> output) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => output.WrittenCount;
        public override long Position { get => output.WrittenCount; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) => output.Write(buffer);
    }
}
