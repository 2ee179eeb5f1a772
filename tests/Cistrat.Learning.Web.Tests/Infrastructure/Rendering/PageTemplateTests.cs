using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Cistrat.Learning.Web.Infrastructure.Rendering;

namespace Cistrat.Learning.Web.Tests.Infrastructure.Rendering;

public sealed class PageTemplateTests
{
    private static string Marker(int hole) => $"[[hole-{hole:D2}]]";

    /// <summary>A page shape: its text with markers, how many holes it declares, and the values for them.</summary>
    private sealed record Shape(string Name, string Html, int HoleCount, string[] Values);

    private static readonly string[] Words =
    [
        "innovation", "policy", "R&amp;D", "statistics", "Frascati", "Oslo", "indicateur", "recherche", "الابتكار",
        "السياسة", "创新", "政策", "📊", "GERD/GDP", "<em>measure</em>", "survey", "firms", "لوحة",
    ];

    private static readonly Dictionary<string, Shape> ShapesByName = AllShapes().ToDictionary(s => s.Name);

    public static TheoryData<string> Shapes() => [.. ShapesByName.Keys];

    private static Shape[] AllShapes()
    {
        var big = new string('x', 70_000) + "é" + new string('y', 1_000);
        var exact = new string('z', 65_535);
        var random = new Random(20261129);
        var page = new StringBuilder("<!DOCTYPE html><html><body>");
        var hole = 0;
        while (page.Length < 200_000)
        {
            page.Append("<p class=\"para\">");
            for (var w = 0; w < 40; w++)
                page.Append(Words[random.Next(Words.Length)]).Append(' ');
            page.Append("</p>\n");
            if (random.Next(10) == 0)
                page.Append(Marker(hole++ % 3));
        }

        page.Append("</body></html>");
        var noise = new StringBuilder();
        for (var i = 0; i < 50_000; i++)
            noise.Append((char)random.Next(0x4E00, 0x9FFF));
        return
        [
            new Shape("no holes", "<html><body><p>Nothing varies here.</p></body></html>", 0, []),
            new Shape("no holes, empty page", "", 0, []),
            new Shape("hole only", Marker(0), 1, ["alone"]),
            new Shape("hole at start", Marker(0) + "<p>after</p>", 1, ["first"]),
            new Shape("hole at end", "<p>before</p>" + Marker(0), 1, ["last"]),
            new Shape("holes adjacent", "<a>" + Marker(0) + Marker(1) + Marker(2) + "</a>", 3, ["one", "two", "three"]),
            new Shape("holes out of order", "<a>" + Marker(2) + "-" + Marker(0) + "-" + Marker(1) + "</a>", 3, ["c", "a", "b"]),
            new Shape("hole repeated", "<form>" + Marker(0) + "</form><form>" + Marker(0) + "</form>" + Marker(1) + Marker(0), 2, ["token", "url"]),
            new Shape("hole declared but absent", "<p>" + Marker(1) + "</p>", 3, ["not shown", "shown", "also not shown"]),
            new Shape("empty values", "<p>" + Marker(0) + "|" + Marker(1) + "</p>" + Marker(0), 2, ["", ""]),
            new Shape("empty value at both ends", Marker(0) + "<p>middle</p>" + Marker(0), 1, [""]),
            new Shape("value over the stored block limit", "<p>" + Marker(0) + "</p><p>" + Marker(1) + "</p>", 2, [big, "small"]),
            new Shape("value of exactly one stored block", "<p>" + Marker(0) + "</p>", 1, [exact]),
            new Shape("value one byte over a stored block", "<p>" + Marker(0) + "</p>", 1, [exact + "!"]),
            new Shape("value of two full stored blocks", Marker(0), 1, [exact + exact]),
            new Shape("large value repeated", Marker(0) + "<hr>" + Marker(0), 1, [big]),
            new Shape(
                "Arabic, Chinese and emoji",
                "<html dir=\"rtl\" lang=\"ar\"><p>الدرس الأول: " + Marker(0) + " من " + Marker(1) + "</p><p>课程：创新政策 🎓🚀</p>" + Marker(2) + "<p>👩🏽‍🔬 نهاية</p></html>",
                3,
                ["٣", "课程 👍🏿 𝕏", "مرحبا بالعالم — 你好，世界 🌍"]),
            new Shape("multi-byte text next to holes", "é" + Marker(0) + "中" + Marker(1) + "🎉", 2, ["ü", "😀"]),
            new Shape("incompressible pieces", noise.ToString(0, 30_000) + Marker(0) + noise.ToString(30_000, 20_000), 1, [noise.ToString(0, 25_000)]),
            new Shape("200 KB page", page.ToString(), 3, ["<token-value>", "/courses/x?q=%3Cb%3E&amp;é", "42"]),
        ];
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Render_Plain_IsThePageWithTheValuesInItsHoles(string name)
    {
        var shape = ShapesByName[name];
        var template = PageTemplate.Parse(shape.Html, shape.HoleCount, Marker);

        var plain = template.Render(Encode(shape.Values), gzip: false);

        Assert.Equal(shape.HoleCount, template.HoleCount);
        Assert.Equal(Encoding.UTF8.GetBytes(Expected(shape)), plain);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Render_Gzip_DecompressesToThePlainPage(string name)
    {
        var shape = ShapesByName[name];
        var template = PageTemplate.Parse(shape.Html, shape.HoleCount, Marker);
        var values = Encode(shape.Values);

        var gzip = template.Render(values, gzip: true);

        Assert.Equal(new byte[] { 0x1f, 0x8b, 0x08 }, gzip[..3]);
        Assert.Equal(template.Render(values, gzip: false), Gunzip(gzip));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Render_Gzip_PassesGzipTest(string name)
    {
        var shape = ShapesByName[name];
        var template = PageTemplate.Parse(shape.Html, shape.HoleCount, Marker);
        var path = Path.Combine(Path.GetTempPath(), $"page-template-{Guid.NewGuid():n}.html.gz");
        await File.WriteAllBytesAsync(path, template.Render(Encode(shape.Values), gzip: true), TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, output) = await RunAsync("gzip", "-t", path);
            Assert.True(exitCode == 0, $"gzip -t exited with {exitCode}: {output}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Render_Gzip_OfChangedValues_UsesTheNewValues()
    {
        var template = PageTemplate.Parse("<p>" + Marker(0) + "</p>", 1, Marker);

        var first = Gunzip(template.Render(Encode(["first"]), gzip: true));
        var second = Gunzip(template.Render(Encode(["second, longer"]), gzip: true));

        Assert.Equal("<p>first</p>", Encoding.UTF8.GetString(first));
        Assert.Equal("<p>second, longer</p>", Encoding.UTF8.GetString(second));
    }

    [Fact]
    public void Render_Gzip_OfRepetitivePage_IsSmallerThanThePage()
    {
        var html = string.Concat(Enumerable.Repeat("<li class=\"lesson\">Lesson text that repeats</li>\n", 2_000)) + Marker(0);
        var template = PageTemplate.Parse(html, 1, Marker);

        var gzip = template.Render(Encode(["v"]), gzip: true);

        Assert.True(gzip.Length * 10 < html.Length, $"{gzip.Length} compressed bytes for {html.Length} characters");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Render_WithWrongNumberOfValues_Throws(int count)
    {
        var template = PageTemplate.Parse("<p>" + Marker(0) + Marker(1) + "</p>", 2, Marker);
        var values = Enumerable.Range(0, count).Select(_ => "v"u8.ToArray()).ToArray();

        Assert.Throws<ArgumentException>("values", () => template.Render(values, gzip: false));
        Assert.Throws<ArgumentException>("values", () => template.Render(values, gzip: true));
    }

    [Fact]
    public void Render_WithValuesForNoHoles_Throws()
    {
        var template = PageTemplate.Parse("<p>fixed</p>", 0, Marker);

        Assert.Throws<ArgumentException>("values", () => template.Render(Encode(["extra"]), gzip: true));
    }

    private static string Expected(Shape shape)
    {
        var html = shape.Html;
        for (var i = 0; i < shape.HoleCount; i++)
            html = html.Replace(Marker(i), shape.Values[i], StringComparison.Ordinal);
        return html;
    }

    private static byte[][] Encode(string[] values) => [.. values.Select(Encoding.UTF8.GetBytes)];

    private static byte[] Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
