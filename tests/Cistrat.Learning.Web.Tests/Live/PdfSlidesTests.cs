using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Features.Live;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cistrat.Learning.Web.Tests.Live;

/// <summary>Real PDFs through the real poppler tools (package poppler-utils).</summary>
public sealed class PdfSlidesTests : IDisposable
{
    private const int Session = 7;
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cistrat-tests", "pdf-" + Guid.NewGuid().ToString("n"));
    private readonly PdfSlides _slides;

    public PdfSlidesTests()
    {
        RequirePoppler();
        Directory.CreateDirectory(_root);
        _slides = new PdfSlides(Folder, NullLogger<PdfSlides>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SessionFolder => Path.Combine(_root, "live", Session.ToString(CultureInfo.InvariantCulture));

    public void Dispose()
    {
        _slides.Dispose();
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task SaveAsync_DrawsEachPage_As1pngAnd2png_960PixelsWide()
    {
        var pages = await SaveAsync(TestPdf.Create(2));

        Assert.Equal(2, pages);
        Assert.Equal(["1.png", "2.png"], Directory.GetFiles(Path.Combine(SessionFolder, "slides")).Select(Path.GetFileName).Order());
        foreach (var page in new[] { 1, 2 })
        {
            var file = _slides.Page(Session, page);
            Assert.NotNull(file);
            Assert.Equal((960, 540), PngSize(file.FullName));
        }

        Assert.Null(_slides.Page(Session, 3));
        Assert.Equal(TestPdf.Create(2), await File.ReadAllBytesAsync(Path.Combine(SessionFolder, "deck.pdf"), Ct));
        Assert.Equal(["deck.pdf", "slides"], Directory.EnumerateFileSystemEntries(SessionFolder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task SaveAsync_DrawsAPortraitPage_960PixelsHigh()
    {
        await SaveAsync(TestPdf.Create(1, width: 595, height: 842));

        var (width, height) = PngSize(_slides.Page(Session, 1)!.FullName);
        Assert.Equal(960, height);
        Assert.InRange(width, 670, 690);
    }

    [Fact]
    public async Task SaveAsync_ReplacesTheEarlierDeck_Entirely()
    {
        await SaveAsync(TestPdf.Create(3));

        var pages = await SaveAsync(TestPdf.Create(1));

        Assert.Equal(1, pages);
        Assert.NotNull(_slides.Page(Session, 1));
        Assert.Null(_slides.Page(Session, 2));
        Assert.Null(_slides.Page(Session, 3));
    }

    [Theory]
    [InlineData("Hello, this is a text file.")]
    [InlineData("\x89PNG\r\n\x1a\n")]
    [InlineData("%PD")]
    public async Task SaveAsync_RefusesAFileThatIsNotAPdf_WritingNothing(string content)
    {
        var e = await Assert.ThrowsAsync<SlideDeckException>(() => SaveAsync(Encoding.Latin1.GetBytes(content)));

        Assert.Equal("This file is not a PDF. Save or export your slides as PDF and upload that file.", e.Message);
        Assert.False(Directory.Exists(Path.Combine(SessionFolder, "slides")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(SessionFolder));
    }

    [Fact]
    public async Task SaveAsync_RefusesAnEmptyFile()
    {
        var e = await Assert.ThrowsAsync<SlideDeckException>(() => SaveAsync([]));

        Assert.Equal("This file is empty.", e.Message);
    }

    [Fact]
    public async Task SaveAsync_RefusesABrokenPdf_AndKeepsThePreviousDeck()
    {
        await SaveAsync(TestPdf.Create(2));
        var before = await File.ReadAllBytesAsync(_slides.Page(Session, 2)!.FullName, Ct);
        var broken = TestPdf.Create(2)[..120];

        var e = await Assert.ThrowsAsync<SlideDeckException>(() => SaveAsync(broken));

        Assert.StartsWith("This PDF could not be read: the file is damaged (", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_slides.Page(Session, 2)!.FullName, Ct));
        Assert.Equal(TestPdf.Create(2), await File.ReadAllBytesAsync(Path.Combine(SessionFolder, "deck.pdf"), Ct));
        Assert.Equal(["deck.pdf", "slides"], Directory.EnumerateFileSystemEntries(SessionFolder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task SaveAsync_RefusesAPdfOver25MB_BeforeConvertingIt()
    {
        var large = new byte[PdfSlides.MaxBytes + 1];
        TestPdf.Create(1).CopyTo(large, 0);

        var e = await Assert.ThrowsAsync<SlideDeckException>(() => SaveAsync(large));

        Assert.StartsWith("This PDF is larger than 25 MB.", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(SessionFolder));
    }

    [Fact]
    public async Task SaveAsync_RefusesAPdfWithMoreThan200Pages_AndKeepsThePreviousDeck()
    {
        await SaveAsync(TestPdf.Create(1));

        var e = await Assert.ThrowsAsync<SlideDeckException>(() => SaveAsync(TestPdf.Create(201)));

        Assert.Equal("This PDF has 201 pages; a deck can have at most 200. Split it into several decks.", e.Message);
        Assert.NotNull(_slides.Page(Session, 1));
    }

    [Fact]
    public async Task SaveAsync_WithoutPdfinfo_StillConverts_CountingTheDrawnPages()
    {
        using var slides = new PdfSlides(Folder, NullLogger<PdfSlides>.Instance) { PdfinfoCommand = Path.Combine(_root, "no-such-pdfinfo") };

        var pages = await slides.SaveAsync(Session, new MemoryStream(TestPdf.Create(2)), Ct);

        Assert.Equal(2, pages);
        Assert.NotNull(slides.Page(Session, 2));
    }

    [Fact]
    public async Task SaveAsync_WithoutPdftoppm_SaysTheServerNeedsPopplerUtils_AndKeepsThePreviousDeck()
    {
        await SaveAsync(TestPdf.Create(1));
        using var slides = new PdfSlides(Folder, NullLogger<PdfSlides>.Instance) { PdftoppmCommand = Path.Combine(_root, "no-such-pdftoppm") };

        var e = await Assert.ThrowsAsync<SlideDeckException>(() => slides.SaveAsync(Session, new MemoryStream(TestPdf.Create(2)), Ct));

        Assert.StartsWith("The server cannot convert PDFs: install poppler-utils", e.Message, StringComparison.Ordinal);
        Assert.NotNull(slides.Page(Session, 1));
        Assert.Null(slides.Page(Session, 2));
    }

    [Fact]
    public async Task SaveAsync_StopsAConversionThatTakesTooLong_AndKeepsThePreviousDeck()
    {
        if (OperatingSystem.IsWindows())
            Assert.Skip("The stand-in converter is a shell script.");
        await SaveAsync(TestPdf.Create(1));
        var pidFile = Path.Combine(_root, "converter.pid");
        var slow = Path.Combine(_root, "slow-pdftoppm");
        await File.WriteAllTextAsync(slow, $"#!/bin/sh\necho $$ > '{pidFile}'\nexec sleep 30\n", Ct);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(slow, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var slides = new PdfSlides(Folder, NullLogger<PdfSlides>.Instance) { PdftoppmCommand = slow, ConversionTimeout = TimeSpan.FromSeconds(1) };
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<SlideDeckException>(() => slides.SaveAsync(Session, new MemoryStream(TestPdf.Create(2)), Ct));

        Assert.StartsWith("This PDF could not be read: drawing its pages took longer than 1 second.", e.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.NotNull(slides.Page(Session, 1));
        var pid = (await File.ReadAllTextAsync(pidFile, Ct)).Trim();
        if (OperatingSystem.IsLinux())
            Assert.False(Directory.Exists($"/proc/{pid}"), $"the converter (process {pid}) is still running");
    }

    [Fact]
    public async Task Page_RestoresTheOldPages_WhenAReplacementDiedBetweenItsTwoRenames()
    {
        await SaveAsync(TestPdf.Create(2));
        // What a crash right after moving the old pages aside leaves behind.
        Directory.Move(Path.Combine(SessionFolder, "slides"), Path.Combine(SessionFolder, ".old-0123456789abcdef0123456789abcdef"));

        var page = _slides.Page(Session, 2);

        Assert.NotNull(page);
        Assert.True(Directory.Exists(Path.Combine(SessionFolder, "slides")));
    }

    [Fact]
    public async Task SaveAsync_ClearsWhatAnInterruptedUploadLeftBehind()
    {
        Directory.CreateDirectory(Path.Combine(SessionFolder, ".upload-0123456789abcdef0123456789abcdef", "pages"));

        await SaveAsync(TestPdf.Create(1));

        Assert.Equal(["deck.pdf", "slides"], Directory.EnumerateFileSystemEntries(SessionFolder).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(201)]
    public async Task Page_IsNull_OutsideTheDeck(int page)
    {
        await SaveAsync(TestPdf.Create(1));

        Assert.Null(_slides.Page(Session, page));
        Assert.Null(_slides.Page(Session + 1, 1));
    }

    [Fact]
    public async Task Delete_RemovesTheDeckAndItsPages()
    {
        await SaveAsync(TestPdf.Create(1));

        _slides.Delete(Session);

        Assert.Null(_slides.Page(Session, 1));
        Assert.False(Directory.Exists(SessionFolder));
        _slides.Delete(Session);
    }

    [Fact]
    public async Task SaveAsync_KeepsSessionsApart()
    {
        await SaveAsync(TestPdf.Create(2));

        await _slides.SaveAsync(Session + 1, new MemoryStream(TestPdf.Create(1)), Ct);

        Assert.NotNull(_slides.Page(Session, 2));
        Assert.Null(_slides.Page(Session + 1, 2));
    }

    private Task<int> SaveAsync(byte[] pdf) => _slides.SaveAsync(Session, new MemoryStream(pdf), Ct);

    private DataFolder Folder => new(_root, _root);

    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 24);
        Assert.True(header[..8].SequenceEqual(PngSignature), $"{path} is not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(header[16..20]), BinaryPrimitives.ReadInt32BigEndian(header[20..24]));
    }

    private static void RequirePoppler()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftoppm", "-v") { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("These tests need poppler's pdftoppm and pdfinfo: install poppler-utils (apt-get install poppler-utils, brew install poppler).");
        }
    }

    /// <summary>Writes small, valid PDFs by hand: each page a coloured rectangle, no fonts.</summary>
    private static class TestPdf
    {
        public static byte[] Create(int pages, int width = 720, int height = 405)
        {
            var objects = new List<string>
            {
                "<< /Type /Catalog /Pages 2 0 R >>",
                $"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(0, pages).Select(i => $"{3 + (2 * i)} 0 R"))}] /Count {pages} >>",
            };
            for (var i = 0; i < pages; i++)
            {
                objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents {4 + (2 * i)} 0 R /Resources << >> >>");
                var drawing = $"0.2 0.4 0.8 rg {20 + i} 20 200 100 re f";
                objects.Add($"<< /Length {drawing.Length} >>\nstream\n{drawing}\nendstream");
            }

            var pdf = new StringBuilder("%PDF-1.4\n");
            var offsets = new List<int>();
            for (var n = 0; n < objects.Count; n++)
            {
                offsets.Add(pdf.Length);
                pdf.Append(CultureInfo.InvariantCulture, $"{n + 1} 0 obj\n{objects[n]}\nendobj\n");
            }

            var xref = pdf.Length;
            pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
            foreach (var offset in offsets)
                pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
            pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
            return Encoding.ASCII.GetBytes(pdf.ToString());
        }
    }
}
