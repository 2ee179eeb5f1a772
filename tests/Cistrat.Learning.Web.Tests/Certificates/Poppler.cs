using System.Diagnostics;
using System.Text;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>A font as <c>pdffonts</c> lists it.</summary>
public sealed record PdfFont(string Name, string Type, bool Embedded, bool Subset, bool HasToUnicode);

/// <summary>An 8-bit grey image (0 black, 255 white), as <c>pdftoppm -gray</c> writes it.</summary>
public sealed class GrayImage(int width, int height, byte[] pixels)
{
    public int Width { get; } = width;
    public int Height { get; } = height;

    public byte this[int x, int y] => pixels[(y * Width) + x];

    /// <summary>Pixels darker than mid-grey within the rectangle.</summary>
    public int DarkPixels(int left, int top, int right, int bottom)
    {
        var count = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                if (this[x, y] < 128)
                    count++;
            }
        }

        return count;
    }

    /// <summary>Pixels of the rectangle whose grey differs by more than a quarter of the range between two images.</summary>
    public int Differences(GrayImage other, int left, int top, int right, int bottom)
    {
        ArgumentNullException.ThrowIfNull(other);
        Assert.Equal((Width, Height), (other.Width, other.Height));
        var count = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                if (Math.Abs(this[x, y] - other[x, y]) > 64)
                    count++;
            }
        }

        return count;
    }

    /// <summary>Reads a binary PGM (P5, 8 bits).</summary>
    public static GrayImage ReadPgm(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var position = 0;
        string Token()
        {
            while (position < file.Length && (char.IsWhiteSpace((char)file[position]) || file[position] == '#'))
            {
                if (file[position] == '#')
                {
                    while (position < file.Length && file[position] != '\n')
                        position++;
                }
                else
                {
                    position++;
                }
            }

            var start = position;
            while (position < file.Length && !char.IsWhiteSpace((char)file[position]))
                position++;
            return Encoding.ASCII.GetString(file, start, position - start);
        }

        Assert.Equal("P5", Token());
        var width = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        var height = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("255", Token());
        position++;
        Assert.True(file.Length - position >= width * height, "The PGM file is shorter than its header says.");
        return new GrayImage(width, height, file[position..(position + (width * height))]);
    }
}

/// <summary>
/// The poppler tools (poppler-utils), run on a PDF as a reader's software would read it: its text, its fonts, its
/// rendered page. A machine without them fails the test with the package to install.
/// </summary>
public static class Poppler
{
    public static async Task<string> TextAsync(byte[] pdf)
    {
        using var file = new TempPdf(pdf);
        return Encoding.UTF8.GetString(await RunAsync("pdftotext", "-enc", "UTF-8", file.Path, "-"));
    }

    public static async Task<IReadOnlyList<PdfFont>> FontsAsync(byte[] pdf)
    {
        using var file = new TempPdf(pdf);
        var lines = Encoding.UTF8.GetString(await RunAsync("pdffonts", file.Path)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The second line is dashes, one run per column: it gives the columns' widths.
        var columns = new List<(int Start, int Length)>();
        var rule = lines[1];
        for (var i = 0; i < rule.Length;)
        {
            var start = i;
            while (i < rule.Length && rule[i] == '-')
                i++;
            columns.Add((start, i - start));
            while (i < rule.Length && rule[i] == ' ')
                i++;
        }

        string Cell(string line, int column)
        {
            var (start, length) = columns[column];
            return start >= line.Length ? "" : line.Substring(start, Math.Min(length, line.Length - start)).Trim();
        }

        return lines.Skip(2).Select(l => new PdfFont(Cell(l, 0), Cell(l, 1), Cell(l, 3) == "yes", Cell(l, 4) == "yes", Cell(l, 5) == "yes")).ToList();
    }

    /// <summary>The first page in grey at <paramref name="dpi"/> (at 72, one pixel per point).</summary>
    public static async Task<GrayImage> RenderAsync(byte[] pdf, int dpi = 72)
    {
        using var file = new TempPdf(pdf);
        var prefix = file.Path + "-page";
        try
        {
            await RunAsync("pdftoppm", "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-gray", "-f", "1", "-l", "1", "-singlefile", file.Path, prefix);
            return GrayImage.ReadPgm(await File.ReadAllBytesAsync(prefix + ".pgm"));
        }
        finally
        {
            File.Delete(prefix + ".pgm");
        }
    }

    private static async Task<byte[]> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{tool} is not installed ({e.Message}): install poppler-utils (apt-get install poppler-utils).");
        }

        using (process)
        {
            Assert.NotNull(process);
            using var output = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            await copy;
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {await errors}");
            return output.ToArray();
        }
    }

    private sealed class TempPdf : IDisposable
    {
        public TempPdf(byte[] pdf)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cistrat-certificate-{Guid.NewGuid():n}.pdf");
            File.WriteAllBytes(Path, pdf);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
