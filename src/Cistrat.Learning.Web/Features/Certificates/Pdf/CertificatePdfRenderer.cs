using System.Collections.Concurrent;
using System.Text;
using QRCoder;
using SkiaSharp;

namespace Cistrat.Learning.Web.Features.Certificates.Pdf;

/// <summary>
/// Draws a certificate (a template's <see cref="TemplateLayout"/>) into an A4 PDF with Skia: every text run shaped by
/// HarfBuzz in the font that covers its script (Arabic joined and right to left), TrueType fonts cut down to the
/// glyphs used, the QR code as vector modules. Thread-safe; one instance serves the whole application.
/// </summary>
public sealed class CertificatePdfRenderer(CertificateFonts fonts)
{
    private const float PointsPerMillimetre = 72f / 25.4f;
    private readonly ConcurrentDictionary<(string, DateTime), SKImage?> _images = new();

    public byte[] Render(CertificateTemplate template, IReadOnlyList<Drawable> drawables, PdfInfo info)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(drawables);
        ArgumentNullException.ThrowIfNull(info);

        // Shape everything first: the glyphs used decide what each embedded font keeps.
        var lines = drawables.OfType<TextDrawable>().ToDictionary(t => t, Shape);
        var subsets = new Dictionary<FontFace, SKTypeface>();
        try
        {
            foreach (var group in lines.Values.SelectMany(l => l.Runs).GroupBy(r => r.Face))
            {
                var face = group.Key;
                if (face.Subsetter is null)
                    continue;
                var bytes = face.Subsetter.Subset(group.SelectMany(r => r.Glyphs));
                using var data = SKData.CreateCopy(bytes);
                if (SKTypeface.FromData(data) is { } subset)
                    subsets[face] = subset;
            }

            using var output = new MemoryStream();
            var metadata = new SKDocumentPdfMetadata
            {
                Title = info.Title, Author = info.Author, Subject = info.Subject, Creator = "Cistrat.Learning", Producer = "Cistrat.Learning (Skia)",
                Creation = info.Created, Modified = info.Created, RasterDpi = 150, EncodingQuality = 90,
            };
            using (var document = SKDocument.CreatePdf(output, metadata))
            {
                var canvas = document.BeginPage((float)(template.Page.Width * PointsPerMillimetre), (float)(template.Page.Height * PointsPerMillimetre));
                canvas.Scale(PointsPerMillimetre);
                using (var background = new SKPaint { Color = SKColor.Parse(template.ColorOf(template.Page.Background, "#ffffff")) })
                    canvas.DrawRect(0, 0, (float)template.Page.Width, (float)template.Page.Height, background);
                foreach (var drawable in drawables)
                {
                    switch (drawable)
                    {
                        case TextDrawable text:
                            DrawText(canvas, text, lines[text], subsets);
                            break;
                        case RectDrawable rect:
                            DrawRect(canvas, rect);
                            break;
                        case LineDrawable line:
                            using (var paint = Stroke(line.Color, line.Width))
                                canvas.DrawLine((float)line.X1, (float)line.Y1, (float)line.X2, (float)line.Y2, paint);
                            break;
                        case ImageDrawable image:
                            DrawImage(canvas, image);
                            break;
                        case QrDrawable qr:
                            DrawQr(canvas, qr);
                            break;
                    }
                }

                document.EndPage();
                document.Close();
            }

            return output.ToArray();
        }
        finally
        {
            foreach (var subset in subsets.Values)
                subset.Dispose();
        }
    }

    /// <summary>Finds the font of every character to be drawn, as rendering would, without drawing anything.</summary>
    public void CheckFonts(IReadOnlyList<Drawable> drawables)
    {
        ArgumentNullException.ThrowIfNull(drawables);
        foreach (var text in drawables.OfType<TextDrawable>())
            _ = Segments(text).Count();
    }

    private ShapedLine Shape(TextDrawable text)
    {
        var size = (float)(text.Size * TemplateLayout.MillimetresPerPoint);
        var line = ShapeAt(text, size);
        // Set too wide: shrink to fit (shaping scales linearly, so one more pass lands on the width).
        if (text.MaxWidth is double max && line.Width > max && line.Width > 0)
            line = ShapeAt(text, size * (float)(max / line.Width) * 0.995f);
        return line;
    }

    private ShapedLine ShapeAt(TextDrawable text, float size)
    {
        var runs = new List<ShapedRun>();
        foreach (var (face, segment) in Segments(text))
        {
            using var font = new SKFont(face.Typeface, size);
            var result = face.Shaper.Shape(segment, font);
            // The shaper works on UTF-8: its clusters are byte offsets into these bytes, which the PDF keeps beside the glyphs.
            runs.Add(new ShapedRun(face, [.. result.Codepoints.Select(c => (ushort)c)], result.Points, result.Width, Encoding.UTF8.GetBytes(segment), result.Clusters));
        }

        // Right-to-left text (an Arabic name) sets its script runs from the right: reverse their order.
        if (StartsRightToLeft(text.Text))
            runs.Reverse();
        return new ShapedLine(runs, runs.Sum(r => r.Width), size);
    }

    /// <summary>Splits text into runs of one font each; spaces and punctuation stay with the run they sit in.</summary>
    private IEnumerable<(FontFace Face, string Text)> Segments(TextDrawable text)
    {
        FontFace? current = null;
        var buffer = new System.Text.StringBuilder();
        foreach (var rune in text.Text.EnumerateRunes())
        {
            var neutral = Rune.IsWhiteSpace(rune) || Rune.IsPunctuation(rune) || Rune.IsSymbol(rune) || Rune.IsDigit(rune);
            var face = neutral && current is not null && current.Covers(rune.Value)
                ? current!
                : fonts.FaceFor(text.Font, text.Bold, rune.Value);
            if (current is not null && face != current && buffer.Length > 0)
            {
                yield return (current, buffer.ToString());
                buffer.Clear();
            }

            current = face;
            buffer.Append(rune.ToString());
        }

        if (current is not null && buffer.Length > 0)
            yield return (current, buffer.ToString());
    }

    private static bool StartsRightToLeft(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is (>= 0x0590 and <= 0x08FF) or (>= 0xFB1D and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF))
                return true;
            if (Rune.IsLetter(rune))
                return false;
        }

        return false;
    }

    private static void DrawText(SKCanvas canvas, TextDrawable text, ShapedLine line, Dictionary<FontFace, SKTypeface> subsets)
    {
        var x = (float)text.X - text.Align switch { "center" => line.Width / 2, "right" => line.Width, _ => 0 };
        using var builder = new SKTextBlobBuilder();
        var cursor = 0f;
        foreach (var run in line.Runs)
        {
            using var font = new SKFont(subsets.GetValueOrDefault(run.Face, run.Face.Typeface), line.Size) { Subpixel = true };
            // With its text and clusters, Skia writes /ActualText wherever a glyph does not map back to the character it
            // draws (Han characters that share a glyph with a Kangxi radical, Arabic ligatures), so that the PDF's text
            // layer holds the name as typed, for copying, search and screen readers.
            var buffer = builder.AllocatePositionedTextRun(font, run.Glyphs.Length, run.Utf8.Length);
            buffer.SetText(run.Utf8);
            buffer.SetClusters(run.Clusters);
            var glyphs = buffer.Glyphs;
            var positions = buffer.Positions;
            for (var i = 0; i < run.Glyphs.Length; i++)
            {
                glyphs[i] = run.Glyphs[i];
                positions[i] = new SKPoint(run.Positions[i].X + cursor, run.Positions[i].Y);
            }

            cursor += run.Width;
        }

        using var blob = builder.Build();
        if (blob is null)
            return;
        using var paint = new SKPaint { Color = SKColor.Parse(text.Color), IsAntialias = true };
        canvas.DrawText(blob, x, (float)text.Y, paint);
    }

    private static void DrawRect(SKCanvas canvas, RectDrawable rect)
    {
        var r = SKRect.Create((float)rect.X, (float)rect.Y, (float)rect.Width, (float)rect.Height);
        if (rect.Fill is not null)
        {
            using var fill = new SKPaint { Color = SKColor.Parse(rect.Fill), Style = SKPaintStyle.Fill };
            canvas.DrawRect(r, fill);
        }

        if (rect.Stroke is not null)
        {
            using var stroke = Stroke(rect.Stroke, rect.StrokeWidth);
            canvas.DrawRect(r, stroke);
        }
    }

    private void DrawImage(SKCanvas canvas, ImageDrawable image)
    {
        var key = (image.Path, File.GetLastWriteTimeUtc(image.Path));
        var decoded = _images.GetOrAdd(key, k => File.Exists(k.Item1) ? SKImage.FromEncodedData(k.Item1) : null)
            ?? throw new CertificateTemplateException($"The image '{image.Path}' is missing or not a PNG or JPEG.");
        // Fit inside the box, keeping the image's proportions.
        var scale = Math.Min(image.Width / decoded.Width, image.Height / decoded.Height);
        var w = (float)(decoded.Width * scale);
        var h = (float)(decoded.Height * scale);
        var dest = SKRect.Create((float)image.X + (((float)image.Width - w) / 2), (float)image.Y + (((float)image.Height - h) / 2), w, h);
        canvas.DrawImage(decoded, dest, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
    }

    private static void DrawQr(SKCanvas canvas, QrDrawable qr)
    {
        var matrix = QrMatrix(qr.Url);
        var module = (float)qr.Size / matrix.Count;
        using var builder = new SKPathBuilder();
        // One rectangle per run of dark modules in a row: a third of the path operations of one per module.
        foreach (var (row, col, length) in QrRuns(matrix))
            builder.AddRect(SKRect.Create((float)qr.X + (col * module), (float)qr.Y + (row * module), module * length, module));

        using var path = builder.Detach();
        using var paint = new SKPaint { Color = SKColor.Parse(qr.Color), Style = SKPaintStyle.Fill, IsAntialias = false };
        canvas.DrawPath(path, paint);
    }

    /// <summary>The QR code's modules, quiet zone included (true = dark); shared with the HTML view.</summary>
    public static IReadOnlyList<bool[]> QrMatrix(string url)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return data.ModuleMatrix.Select(row => Enumerable.Range(0, row.Length).Select(i => row[i]).ToArray()).ToList();
    }

    /// <summary>The runs of dark modules, row by row: (row, first column, length).</summary>
    public static IEnumerable<(int Row, int Column, int Length)> QrRuns(IReadOnlyList<bool[]> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        for (var row = 0; row < matrix.Count; row++)
        {
            var cells = matrix[row];
            for (var col = 0; col < cells.Length; col++)
            {
                if (!cells[col])
                    continue;
                var start = col;
                while (col + 1 < cells.Length && cells[col + 1])
                    col++;
                yield return (row, start, col - start + 1);
            }
        }
    }

    private static SKPaint Stroke(string color, double width) =>
        new() { Color = SKColor.Parse(color), Style = SKPaintStyle.Stroke, StrokeWidth = (float)width, IsAntialias = true };

    private sealed record ShapedRun(FontFace Face, ushort[] Glyphs, SKPoint[] Positions, float Width, byte[] Utf8, uint[] Clusters);

    private sealed record ShapedLine(List<ShapedRun> Runs, float Width, float Size);
}

public sealed record PdfInfo(string Title, string Author, string Subject, DateTime Created);
